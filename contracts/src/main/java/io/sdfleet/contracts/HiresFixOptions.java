package io.sdfleet.contracts;

/**
 * A1111's hires fix, as requested: upscale by {@code scale} (or to {@code resizeX × resizeY}) with {@code upscaler},
 * then refine with {@code secondPassSteps} (0 = the first pass's) at {@code denoisingStrength}; sampler and prompts
 * of the second pass default to the first pass's when null.
 */
public record HiresFixOptions(double scale, int resizeX, int resizeY, String upscaler, int secondPassSteps,
                              double denoisingStrength, String samplerName, String prompt, String negativePrompt) {

    /** Width and height the second pass works at, by A1111's rule (the larger fit when both resize sides are given). */
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
        return (double) width / height < (double) resizeX / resizeY
                ? new int[] {resizeX, resizeX * height / width}
                : new int[] {resizeY * width / height, resizeY};
    }
}
