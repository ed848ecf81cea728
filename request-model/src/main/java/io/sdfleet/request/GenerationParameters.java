package io.sdfleet.request;

import java.util.ArrayList;
import java.util.List;

/**
 * What to generate, with A1111's field meanings: {@code batch.count()} batches of {@code batch.size()} images, image
 * k of the request drawn from {@link Noise#seedOf}; {@code hires} (txt2img's hires fix) and {@code img2img} (init
 * images, mask) are null when not used; {@code tiling} makes the image wrap around seamlessly; {@code restoreFaces}
 * (A1111's "Restore faces") is null when off. {@code extras} (A1111's Extras tab: given images upscaled and/or
 * face-restored, no sampling) is null for a generation; an extras request has one image per batch
 * ({@code batch.count()} images), so each image is a job of its own. The gateway builds it,
 * the broker carries it (a job's copy has the job's batch), and the engine runs one batch of it.
 */
public record GenerationParameters(Prompt prompt, ImageSize size, Batch batch, Noise noise, Sampling sampling,
                                   HiresFix hires, Img2Img img2img, ModelChoice models, boolean tiling,
                                   FaceRestoration restoreFaces, Extras extras) {

    public GenerationParameters {
        models = models == null ? ModelChoice.DEFAULTS : models;
    }

    /** A generation without face restoration (no extras). */
    public GenerationParameters(Prompt prompt, ImageSize size, Batch batch, Noise noise, Sampling sampling,
                                HiresFix hires, Img2Img img2img, ModelChoice models, boolean tiling) {
        this(prompt, size, batch, noise, sampling, hires, img2img, models, tiling, null, null);
    }

    /** Plain txt2img with the default checkpoint and VAE. */
    public GenerationParameters(Prompt prompt, ImageSize size, Batch batch, Noise noise, Sampling sampling) {
        this(prompt, size, batch, noise, sampling, null, null, ModelChoice.DEFAULTS, false, null, null);
    }

    /** Images the request yields. */
    public int imageCount() {
        return batch.imageCount();
    }

    /** The width and height the UNet works at last (the hires target when the hires fix is on). */
    public int[] workingSize() {
        return hires == null ? new int[] {size.width(), size.height()} : hires.targetSize(size.width(), size.height());
    }

    public GenerationParameters withBatch(Batch newBatch) {
        return new GenerationParameters(prompt, size, newBatch, noise, sampling, hires, img2img, models, tiling,
                restoreFaces, extras);
    }

    public GenerationParameters withNoise(Noise newNoise) {
        return new GenerationParameters(prompt, size, batch, newNoise, sampling, hires, img2img, models, tiling,
                restoreFaces, extras);
    }

    public GenerationParameters withHires(HiresFix fix) {
        return new GenerationParameters(prompt, size, batch, noise, sampling, fix, img2img, models, tiling,
                restoreFaces, extras);
    }

    public GenerationParameters withImg2Img(Img2Img input) {
        return new GenerationParameters(prompt, size, batch, noise, sampling, hires, input, models, tiling,
                restoreFaces, extras);
    }

    public GenerationParameters withModels(ModelChoice choice) {
        return new GenerationParameters(prompt, size, batch, noise, sampling, hires, img2img, choice, tiling,
                restoreFaces, extras);
    }

    public GenerationParameters withTiling(boolean on) {
        return new GenerationParameters(prompt, size, batch, noise, sampling, hires, img2img, models, on,
                restoreFaces, extras);
    }

    public GenerationParameters withRestoreFaces(FaceRestoration restoration) {
        return new GenerationParameters(prompt, size, batch, noise, sampling, hires, img2img, models, tiling,
                restoration, extras);
    }

    public GenerationParameters withExtras(Extras postprocessing) {
        return new GenerationParameters(prompt, size, batch, noise, sampling, hires, img2img, models, tiling,
                restoreFaces, postprocessing);
    }

    /**
     * Every upscaler the run names, as named: the hires fix's, img2img's ({@code upscaler_for_img2img}) and the
     * extras'; latent modes and built-ins among them need no file.
     */
    public List<String> upscalersUsed() {
        List<String> used = new ArrayList<>();
        if (hires != null) {
            used.add(hires.upscaler());
        }
        if (img2img != null && img2img.upscaler() != null) {
            used.add(img2img.upscaler());
        }
        if (extras != null) {
            used.addAll(extras.upscalersUsed());
        }
        return used;
    }

    /** Problems with the numbers, each naming its A1111 field; empty when the parameters can run. */
    public List<String> problems() {
        List<String> problems = new ArrayList<>(size.problems());
        problems.addAll(sampling.problems());
        problems.addAll(batch.problems());
        problems.addAll(prompt.problems());
        if (hires != null && img2img != null) {
            problems.add("enable_hr applies to txt2img only, not to img2img");
        }
        if (extras != null && (hires != null || img2img != null)) {
            problems.add("extras postprocess given images; they take no hires fix or init images");
        }
        problems.addAll(noise.problems());
        if (restoreFaces != null) {
            problems.addAll(restoreFaces.problems());
        }
        return problems;
    }
}
