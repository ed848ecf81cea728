package io.sdfleet.diffusion.bench;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.sdfleet.diffusion.nn.SdxlLayout;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ./sd bench --arch sdxl}'s path (synthesised layout → loader → both towers, UNet with y, SDXL VAE → timed
 * stages) on a tiny SDXL-shaped architecture at 64², so that CI covers it in seconds; the full base needs ~14 GB.
 */
class SdxlBenchmarkTest {

    /** SDXL's topology rules (no attention at the first level, label embedding, two towers) at toy widths. */
    private static final SdxlLayout.Config TINY = new SdxlLayout.Config(32, List.of(1, 2), 1, List.of(0, 1), 1,
            16 + 32, 32 + 6 * 256, 4, 32, List.of(1, 2), 1, 49408, 77, 16, 2, 32, 1, 32, 2, 64, 32);

    @Test
    void buildsTheSdxlArchitectureAndTimesEveryStage() {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        EngineBenchmark.Result result = SdxlBenchmark.run(TINY, Device.cpu(), DataType.FLOAT32, 64, 64, 1, 1, 1, true,
                new PrintStream(log, true, StandardCharsets.UTF_8));
        String printed = log.toString(StandardCharsets.UTF_8);
        System.out.print(printed + result.toJson() + "\n");
        assertThat(printed).contains("SDXL architecture (SDXL)");
        assertThat(result.unetStepSeconds()).isPositive();
        assertThat(result.textEncodeSeconds()).isPositive();
        assertThat(result.vaeDecodeSeconds()).isPositive();
        assertThat(result.peakMemoryBytes()).isPositive();
    }

    @Test
    void countsTheReleasedBaseParameters() {
        for (var config : List.of(SdxlLayout.BASE, SdxlLayout.REFINER)) { // the worker's memory model needs these
            var layout = SdxlLayout.tensors(config);
            long unet = SdxlBenchmark.parameters(layout, "model.diffusion_model.");
            long text = SdxlBenchmark.parameters(layout, "conditioner.");
            long vae = SdxlBenchmark.parameters(layout, "first_stage_model.");
            long all = unet + text + vae;
            System.out.printf("SDXL %s parameters: UNet %d, text %d, VAE %d, all %d (fp16 %.2f GB, fp32 %.2f GB)%n",
                    config == SdxlLayout.BASE ? "base" : "refiner", unet, text, vae, all, all * 2 / 1e9, all * 4 / 1e9);
        }
        var layout = SdxlLayout.tensors(SdxlLayout.BASE);
        // SDXL 1.0 base: a 2.6B UNet, 123M + 695M text towers (bigG without its visual tower), an 84M VAE
        assertThat(SdxlBenchmark.parameters(layout, "model.diffusion_model.")).isBetween(2_500_000_000L, 2_600_000_000L);
        assertThat(SdxlBenchmark.parameters(layout, "first_stage_model.")).isBetween(80_000_000L, 90_000_000L);
    }
}
