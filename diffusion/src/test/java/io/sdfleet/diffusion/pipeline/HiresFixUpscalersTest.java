package io.sdfleet.diffusion.pipeline;

import io.sdfleet.request.HiresFix;
import io.sdfleet.request.UpscalerNames;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The hires fix takes A1111's built-in pixel upscalers by name (any case), the latent modes, and model upscalers by
 * A1111 name (whether the fleet has the file is checked by the gateway and the worker).
 */
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
    void modelUpscalersNameTheFileTheyNeed() {
        assertThat(with("R-ESRGAN 4x+").upscalerFile()).contains(
                new UpscalerNames.ModelFile(UpscalerNames.Family.REAL_ESRGAN, "RealESRGAN_x4plus"));
        assertThat(with("4x-UltraSharp").upscalerFile()).contains(
                new UpscalerNames.ModelFile(UpscalerNames.Family.ESRGAN, "4x-UltraSharp"));
        assertThat(with("ESRGAN_4x").upscalerFile().orElseThrow().describe())
                .isEqualTo("ESRGAN/ESRGAN_4x.pth (or .pt, .safetensors)");
        assertThat(with("lanczos").upscalerFile()).isEmpty();
        assertThat(with("Latent").upscalerFile()).isEmpty();
    }

    @Test
    void otherUpscalersAreRefusedNamingTheChoices() {
        assertThatThrownBy(() -> with("Latent (bicubic)")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Nearest");
        assertThatThrownBy(() -> with("R-ESRGAN General 4xV3")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SRVGGNetCompact");
        assertThatThrownBy(() -> with("models/ESRGAN_4x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("hr_upscaler");
    }
}
