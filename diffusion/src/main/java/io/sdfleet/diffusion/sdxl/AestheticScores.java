package io.sdfleet.diffusion.sdxl;

/** The refiner's aesthetic-score conditioning: one score for prompts, another for negative prompts. */
public record AestheticScores(double prompt, double negative) {

    /** A1111's {@code sdxl_refiner_high_aesthetic_score} / {@code sdxl_refiner_low_aesthetic_score} defaults. */
    public static final AestheticScores A1111 = new AestheticScores(6.0, 2.5);

    public double of(boolean negativePrompt) {
        return negativePrompt ? negative : prompt;
    }
}
