package io.sdfleet.request;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A1111's "Hires. fix": after the first pass at width × height, the latents are upscaled (by {@code hr_scale}, or to
 * {@code hr_resize_x/y}) and refined by an img2img pass of {@code hr_second_pass_steps} (0 = the first pass's steps)
 * at {@code denoising_strength}, optionally with its own sampler, schedule type and prompts (null = the first pass's).
 */
public record HiresFix(double scale, int resizeX, int resizeY, String upscaler, int secondPassSteps,
                       double denoisingStrength, String sampler, String scheduler, String prompt,
                       String negativePrompt) {

    /** A1111's upscaler when none is named. */
    public static final String DEFAULT_UPSCALER = "Latent";

    /**
     * The upscalers every fleet has, by A1111 name: the latent modes, and pixel-space "Lanczos", "Nearest" and "None"
     * (for which A1111's resize_image resizes straight to the target with Lanczos). Model upscalers (ESRGAN files,
     * "R-ESRGAN 4x+", …; see {@link UpscalerNames}) are taken by name too; whether the fleet has the file is for the
     * gateway and the worker to say.
     */
    public static final List<String> UPSCALERS = List.of("Latent", "Latent (nearest)", "Lanczos", "Nearest", "None");

    /** The latent modes of {@link #UPSCALERS} (A1111's {@code /latent-upscale-modes}). */
    public static final List<String> LATENT_UPSCALERS = List.of("Latent", "Latent (nearest)");

    public HiresFix {
        upscaler = upscaler == null || upscaler.isBlank() ? DEFAULT_UPSCALER : canonical(upscaler);
        if (resizeX == 0 && resizeY == 0 && !(scale >= 1 && scale <= 8)) {
            throw new IllegalArgumentException("hr_scale must be between 1 and 8, got " + scale);
        }
        if (resizeX < 0 || resizeY < 0) {
            throw new IllegalArgumentException("hr_resize_x and hr_resize_y must not be negative");
        }
        if (secondPassSteps < 0 || secondPassSteps > 1000) {
            throw new IllegalArgumentException("hr_second_pass_steps must be between 0 and 1000, got " + secondPassSteps);
        }
        if (!(denoisingStrength >= 0 && denoisingStrength <= 1)) {
            throw new IllegalArgumentException("denoising_strength must be between 0 and 1, got " + denoisingStrength);
        }
    }

    /** The upscaler's name as {@link #UPSCALERS} spells it (any case), or empty when it is not offered. */
    public static Optional<String> knownUpscaler(String name) {
        return UPSCALERS.stream().filter(known -> known.equalsIgnoreCase(name.trim())).findFirst();
    }

    private static String canonical(String name) {
        Optional<String> known = knownUpscaler(name);
        if (known.isPresent()) {
            return known.get();
        }
        try {
            if (UpscalerNames.modelFile(name).isPresent()) {
                return name.trim();
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("hr_upscaler: " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("hr_upscaler must be one of " + UPSCALERS + " or a model upscaler, got " + name);
    }

    /** The model file the upscaler needs (ESRGAN, Real-ESRGAN); empty for the latent modes and the built-ins. */
    public Optional<UpscalerNames.ModelFile> upscalerFile() {
        return UpscalerNames.modelFile(upscaler);
    }

    public boolean latentUpscaler() {
        return upscaler.toLowerCase(Locale.ROOT).startsWith("latent");
    }

    /** The steps the second pass runs: hr_second_pass_steps, or the first pass's when it is 0. */
    public int effectiveSecondPassSteps(int firstPassSteps) {
        return secondPassSteps > 0 ? secondPassSteps : firstPassSteps;
    }

    /** A1111's target size rule: by scale, or to hr_resize_x/y keeping the aspect (the larger side wins when both). */
    public int[] targetSize(int width, int height) {
        if (resizeX == 0 && resizeY == 0) {
            return new int[] {(int) (width * scale), (int) (height * scale)};
        }
        if (resizeY == 0) {
            return new int[] {resizeX, resizeX * height / width};
        }
        if (resizeX == 0) {
            return new int[] {resizeY * width / height, resizeY};
        }
        double sourceRatio = (double) width / height;
        double targetRatio = (double) resizeX / resizeY;
        return sourceRatio < targetRatio ? new int[] {resizeX, resizeX * height / width}
                : new int[] {resizeY * width / height, resizeY};
    }

    /** The size the second pass ends at: hr_resize_x/y when both are given (A1111 crops to it), else the target. */
    public int[] finalSize(int width, int height) {
        if (resizeX > 0 && resizeY > 0) {
            return new int[] {resizeX, resizeY};
        }
        return targetSize(width, height);
    }
}
