package io.sdfleet.diffusion.pipeline;

import io.sdfleet.request.HiresFix;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The hires fix takes A1111's built-in pixel upscalers by name (any case), and the latent modes. */
class HiresFixUpscalersTest {

    private static HiresFix with(String upscaler) {
        return new HiresFix(2, 0, 0, upscaler, 0, 0.5, null, null, null, null);
    }

    @Test
    void a1111sBuiltInUpscalersAreAcceptedByCanonicalName() {
        assertThat(with("nearest").upscaler()).isEqualTo("Nearest");
        assertThat(with("None").upscaler()).isEqualTo("None");
        assertThat(with("lanczos").upscaler()).isEqualTo("Lanczos");
        assertThat(with("Nearest").latentUpscaler()).isFalse();
        assertThat(with("None").latentUpscaler()).isFalse();
        assertThat(with("Latent (nearest)").latentUpscaler()).isTrue();
        assertThat(with(null).upscaler()).isEqualTo("Latent");
        assertThat(HiresFix.UPSCALERS).containsAll(HiresFix.LATENT_UPSCALERS);
    }

    @Test
    void otherUpscalersAreRefusedNamingTheChoices() {
        assertThatThrownBy(() -> with("R-ESRGAN 4x+")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Nearest");
    }
}
