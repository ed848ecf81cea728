package io.sdfleet.diffusion.pipeline;

import io.sdfleet.diffusion.loading.ModelOptions;
import io.sdfleet.diffusion.loading.StableDiffusionModel;
import io.sdfleet.diffusion.offload.MemoryMode;
import io.sdfleet.diffusion.offload.OffloadUnit;
import io.sdfleet.diffusion.offload.Offloader;
import io.sdfleet.diffusion.testing.Reference;
import io.sdfleet.request.Batch;
import io.sdfleet.request.GenerationParameters;
import io.sdfleet.request.ImageSize;
import io.sdfleet.request.Noise;
import io.sdfleet.request.Prompt;
import io.sdfleet.request.Sampling;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * MEDVRAM and LOWVRAM on the mini SD 1.5: the same image as plain mode, with only the running component (or UNet
 * block) resident. Offloaded weights refuse to be read, so a part running without being placed would fail the run.
 */
class MemoryModeTest {

    private static final GenerationParameters PARAMS =
            new GenerationParameters(new Prompt("a red house", "blurry", 1),
                    new ImageSize(64, 64), new Batch(1, 1), Noise.of(42),
                    new Sampling("Euler a", "Automatic", 3, 7));

    @Test
    void medvramMovesWholeComponentsAndGivesThePlainImage() {
        Run plain = generate(MemoryMode.PLAIN);
        Run medvram = generate(MemoryMode.MEDVRAM);
        assertThat(medvram.latents).containsExactly(plain.latents);
        assertSamePixels(medvram.image, plain.image);
        // each component comes once: text for both prompts, the UNet for every step, then the VAE
        assertThat(medvram.arrivals).containsExactly("cond_stage_model.transformer.text_model.",
                "model.diffusion_model.", "first_stage_model.");
        assertThat(medvram.mostResident).isEqualTo(1);
    }

    @Test
    void lowvramMovesUNetBlocksOneByOneAndGivesThePlainImage() {
        Run plain = generate(MemoryMode.PLAIN);
        Run lowvram = generate(MemoryMode.LOWVRAM);
        assertThat(lowvram.latents).containsExactly(plain.latents);
        assertSamePixels(lowvram.image, plain.image);
        List<String> blocks = lowvram.arrivals.stream().filter(p -> p.contains("_block")).toList();
        // 12 input blocks, the middle, 12 output blocks, in order, for each of 3 steps (cond and uncond batched)
        assertThat(blocks).hasSize(3 * 25);
        assertThat(blocks.subList(0, 3)).containsExactly("model.diffusion_model.input_blocks.0.",
                "model.diffusion_model.input_blocks.1.", "model.diffusion_model.input_blocks.2.");
        assertThat(blocks.get(12)).isEqualTo("model.diffusion_model.middle_block.");
        assertThat(lowvram.arrivals.get(lowvram.arrivals.size() - 1)).isEqualTo("first_stage_model.");
        // one moving unit plus the pinned UNet rest at most
        assertThat(lowvram.mostResident).isEqualTo(2);
    }

    private record Run(float[] latents, BufferedImage image, List<String> arrivals, int mostResident) {
    }

    private static Run generate(MemoryMode mode) {
        ModelOptions options = ModelOptions.cpu(Reference.file("clip-tokenizer")).withMemoryMode(mode);
        try (StableDiffusionModel model = StableDiffusionModel.load(Reference.file("mini_sd15_fp32.safetensors"),
                options)) {
            List<String> arrivals = new ArrayList<>();
            int[] most = {0};
            model.offloader().ifPresent(offloader -> offloader.onMove(move -> {
                if (move.arriving()) {
                    arrivals.add(move.unit().prefix());
                }
                most[0] = Math.max(most[0], residentCount(offloader));
            }));
            assertThat(model.offloader().isPresent()).isEqualTo(mode.offloads());
            GenerationResult result = new ImageGeneration(model).generate(PARAMS, Optional.empty(), ProgressListener.NONE);
            return new Run(result.latents(), result.images().get(0).image(), arrivals, most[0]);
        }
    }

    private static int residentCount(Offloader offloader) {
        List<OffloadUnit> resident = offloader.resident();
        return resident.size();
    }

    private static void assertSamePixels(BufferedImage actual, BufferedImage expected) {
        for (int y = 0; y < expected.getHeight(); y++) {
            for (int x = 0; x < expected.getWidth(); x++) {
                assertThat(actual.getRGB(x, y)).isEqualTo(expected.getRGB(x, y));
            }
        }
    }
}
