package io.sdfleet.request;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GenerationParametersTest {

    private static final GenerationParameters CAT = new GenerationParameters(new Prompt("a cat", null, 1),
            new ImageSize(512, 512), new Batch(2, 3), Noise.of(42), new Sampling(null, " ", 20, 7));

    @Test
    void blankNamesMeanA1111sDefaults() {
        assertThat(CAT.prompt().negative()).isEmpty();
        assertThat(CAT.sampling().sampler()).isEqualTo("Euler");
        assertThat(CAT.sampling().scheduler()).isEqualTo("Automatic");
        assertThat(CAT.sampling().extras()).isEqualTo(SamplerExtras.DEFAULTS);
        assertThat(CAT.models()).isEqualTo(ModelChoice.DEFAULTS);
        assertThat(new HiresFix(2, 0, 0, null, 0, 0.5, null, null, null, null).upscaler()).isEqualTo("Latent");
        assertThat(CAT.problems()).isEmpty();
    }

    @Test
    void imageKHasSeedPlusKUnlessAVariationSeedIsUsed() {
        assertThat(CAT.noise().seedOf(3)).isEqualTo(45);
        Noise varied = CAT.noise().withVariation(100, 0.5);
        assertThat(varied.seedOf(3)).isEqualTo(42);
        assertThat(varied.subseedOf(3)).isEqualTo(103);
    }

    @Test
    void aBatchFromImageKStartsFromImageKsInitImage() {
        Img2Img img2img = new Img2Img(List.of("a", "b", "c"), 0.5, null, null, null);
        assertThat(img2img.fromImage(4, 2).initImages()).containsExactly("b", "c");
        assertThat(img2img.fromImage(4, 2).initImageFor(1)).isEqualTo(img2img.initImageFor(5));
    }

    @Test
    void theSecondPassRunsTheFirstPassesStepsWhenItHasNone() {
        HiresFix fix = new HiresFix(2, 0, 0, "latent", 0, 0.5, null, null, null, null);
        assertThat(fix.upscaler()).isEqualTo("Latent");
        assertThat(fix.effectiveSecondPassSteps(20)).isEqualTo(20);
        assertThat(new HiresFix(2, 0, 0, null, 7, 0.5, null, null, null, null).effectiveSecondPassSteps(20)).isEqualTo(7);
        assertThat(CAT.withHires(fix).workingSize()).containsExactly(1024, 1024);
        assertThat(new HiresFix(1, 1000, 0, null, 0, 0.5, null, null, null, null).targetSize(512, 256))
                .containsExactly(1000, 500);
    }

    @Test
    void problemsNameA1111sFields() {
        GenerationParameters bad = new GenerationParameters(new Prompt("", "", 13), new ImageSize(100, 64),
                new Batch(0, 1), new Noise(-1, -1, 1.5, 0, 0, null, 0), new Sampling("Euler", "", 0, 7));
        assertThat(bad.problems()).anyMatch(s -> s.startsWith("width must be a multiple of 8"))
                .anyMatch(s -> s.startsWith("steps must be between 1 and 1000"))
                .anyMatch(s -> s.startsWith("batch_size"))
                .anyMatch(s -> s.startsWith("clip_skip"))
                .anyMatch(s -> s.startsWith("seed must be resolved"))
                .anyMatch(s -> s.startsWith("subseed_strength"));
        assertThatThrownBy(() -> new HiresFix(2, 0, 0, "../ESRGAN_4x", 0, 0.5, null, null, null, null))
                .hasMessageContaining("hr_upscaler");
        assertThatThrownBy(() -> new Img2Img(List.of(), 0.5, null, null, null)).hasMessageContaining("init_images");
    }

    @Test
    void anExtrasJobCostsWhatItsModelUpscalerAndFaceRestorersDoNotOneStep() {
        GenerationParameters base = new GenerationParameters(new Prompt("", "", 1), new ImageSize(512, 512),
                new Batch(1, 1), Noise.of(1), new Sampling("Euler", "Automatic", 1, 0));
        java.util.function.Function<Extras, Long> cost = e -> PixelSteps.of(base.withExtras(e));
        long pixels = 512L * 512;
        assertThat(cost.apply(new Extras(List.of("-"), List.of(), 0, 2, false, 512, 512, true, "Lanczos", "None", 0, 0,
                0, 0))).isEqualTo(pixels);
        assertThat(cost.apply(new Extras(List.of("-"), List.of(), 0, 2, false, 512, 512, true, "R-ESRGAN 4x+", "None",
                0, 0, 0, 0))).isEqualTo(pixels + Extras.STEPS_PER_MODEL_UPSCALE_PASS * pixels);
        assertThat(cost.apply(new Extras(List.of("-"), List.of(), 0, 8, true, 512, 512, true, "4x-UltraSharp", "None",
                0, 0.5, 0, 0))).as("8x: a second pass on the 4x image, and GFPGAN")
                .isEqualTo(pixels + Extras.STEPS_PER_MODEL_UPSCALE_PASS * pixels * 17 + 2 * pixels);
    }
}
