-- Upscaler and face-restoration models as fleet assets too, named by A1111's folders (models/ESRGAN,
-- models/RealESRGAN, models/Codeformer, models/GFPGAN) in lower case.
ALTER TABLE models DROP CONSTRAINT models_kind_check;
ALTER TABLE models ADD CONSTRAINT models_kind_check CHECK (kind IN ('checkpoint', 'vae', 'lora', 'embedding',
    'hypernetwork', 'esrgan', 'realesrgan', 'codeformer', 'gfpgan'));
