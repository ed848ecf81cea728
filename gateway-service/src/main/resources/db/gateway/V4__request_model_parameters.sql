-- Parameters stored before the request model (one flat record with nested hires, img2img, noise and sampler) in its
-- grouped shape, so requests accepted before the upgrade still read: A1111's defaults where an older row lacks a
-- field, s_tmax's null (infinity) as "Infinity", resize mode and inpainting fill by name.
UPDATE generations SET parameters = jsonb_build_object(
    'prompt', jsonb_build_object(
        'positive', parameters -> 'prompt',
        'negative', parameters -> 'negativePrompt',
        'clipSkip', COALESCE(parameters -> 'clipSkip', '1')),
    'size', jsonb_build_object('width', parameters -> 'width', 'height', parameters -> 'height'),
    'batch', jsonb_build_object('size', parameters -> 'batchSize', 'count', parameters -> 'nIter'),
    'noise', jsonb_build_object(
        'seed', parameters -> 'seed',
        'subseed', COALESCE(parameters -> 'noise' -> 'subseed', '0'),
        'subseedStrength', COALESCE(parameters -> 'noise' -> 'subseedStrength', '0'),
        'seedResizeFromW', COALESCE(parameters -> 'noise' -> 'seedResizeFromW', '0'),
        'seedResizeFromH', COALESCE(parameters -> 'noise' -> 'seedResizeFromH', '0'),
        'rngSource', COALESCE(parameters -> 'noise' -> 'rngSource', '"CPU"'),
        'etaNoiseSeedDelta', COALESCE(parameters -> 'noise' -> 'etaNoiseSeedDelta', '0')),
    'sampling', jsonb_build_object(
        'sampler', parameters -> 'samplerName',
        'scheduler', parameters -> 'scheduler',
        'steps', parameters -> 'steps',
        'cfgScale', parameters -> 'cfgScale',
        'extras', jsonb_build_object(
            'eta', COALESCE(parameters -> 'sampler' -> 'eta', '1'),
            'sChurn', COALESCE(parameters -> 'sampler' -> 'sChurn', '0'),
            'sTmin', COALESCE(parameters -> 'sampler' -> 'sTmin', '0'),
            'sTmax', COALESCE(NULLIF(parameters -> 'sampler' -> 'sTmax', 'null'), '"Infinity"'),
            'sNoise', COALESCE(parameters -> 'sampler' -> 'sNoise', '1'))),
    'hires', CASE WHEN jsonb_typeof(parameters -> 'hires') = 'object' THEN jsonb_build_object(
        'scale', parameters -> 'hires' -> 'scale',
        'resizeX', parameters -> 'hires' -> 'resizeX',
        'resizeY', parameters -> 'hires' -> 'resizeY',
        'upscaler', parameters -> 'hires' -> 'upscaler',
        'secondPassSteps', parameters -> 'hires' -> 'secondPassSteps',
        'denoisingStrength', parameters -> 'hires' -> 'denoisingStrength',
        'sampler', parameters -> 'hires' -> 'samplerName',
        'scheduler', NULL,
        'prompt', parameters -> 'hires' -> 'prompt',
        'negativePrompt', parameters -> 'hires' -> 'negativePrompt') ELSE 'null' END,
    'img2img', CASE WHEN jsonb_typeof(parameters -> 'img2img') = 'object' THEN jsonb_build_object(
        'initImages', parameters -> 'img2img' -> 'initImages',
        'denoisingStrength', parameters -> 'img2img' -> 'denoisingStrength',
        'resizeMode', to_jsonb((ARRAY['JUST_RESIZE', 'CROP_AND_RESIZE', 'RESIZE_AND_FILL'])
            [(parameters -> 'img2img' ->> 'resizeMode')::int + 1]),
        'mask', CASE WHEN jsonb_typeof(parameters -> 'img2img' -> 'mask') = 'string' THEN jsonb_build_object(
            'mask', parameters -> 'img2img' -> 'mask',
            'maskBlur', parameters -> 'img2img' -> 'maskBlur',
            'fill', to_jsonb((ARRAY['FILL', 'ORIGINAL', 'LATENT_NOISE', 'LATENT_NOTHING'])
                [(parameters -> 'img2img' ->> 'inpaintingFill')::int + 1]),
            'fullResolution', parameters -> 'img2img' -> 'inpaintFullRes',
            'fullResolutionPadding', parameters -> 'img2img' -> 'inpaintFullResPadding',
            'invert', parameters -> 'img2img' -> 'inpaintingMaskInvert') ELSE 'null' END,
        'imageCfgScale', NULL) ELSE 'null' END,
    'models', jsonb_build_object('checkpoint', parameters -> 'model', 'vae', parameters -> 'vae'),
    'tiling', COALESCE(parameters -> 'tiling', 'false'))
WHERE parameters ? 'samplerName';
