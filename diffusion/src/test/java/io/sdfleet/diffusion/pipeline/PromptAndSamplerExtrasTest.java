package io.sdfleet.diffusion.pipeline;

import io.sdfleet.diffusion.checkpoint.SafetensorsFile;
import io.sdfleet.diffusion.checkpoint.SafetensorsWriter;
import io.sdfleet.diffusion.checkpoint.StoredTensor;
import io.sdfleet.diffusion.image.PngFiles;
import io.sdfleet.diffusion.loading.StableDiffusionModel;
import io.sdfleet.diffusion.networks.NetworkDirectories;
import io.sdfleet.diffusion.testing.MiniModel;
import io.sdfleet.diffusion.testing.Reference;
import io.sdfleet.diffusion.testing.Tensors;
import io.sdfleet.request.Batch;
import io.sdfleet.request.GenerationParameters;
import io.sdfleet.request.ImageSize;
import io.sdfleet.request.Noise;
import io.sdfleet.request.Prompt;
import io.sdfleet.request.SamplerExtras;
import io.sdfleet.request.Sampling;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Composable diffusion, sampler extras, an external VAE and live previews: properties that would fail if the
 * feature were wrong (no reference case covers them).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PromptAndSamplerExtrasTest {

    private StableDiffusionModel model;

    @BeforeAll
    void load() {
        model = MiniModel.load();
    }

    @AfterAll
    void close() {
        model.close();
    }

    private GenerationResult run(String prompt, String sampler, double cfg, SamplerExtras extras) {
        return run(prompt, sampler, cfg, extras, ProgressListener.NONE);
    }

    private GenerationResult run(String prompt, String sampler, double cfg, SamplerExtras extras, ProgressListener listener) {
        return run(null, prompt, sampler, cfg, extras, listener);
    }

    /** @param vae an external VAE file, or null for the checkpoint's own */
    private GenerationResult run(Path vae, String prompt, String sampler, double cfg, SamplerExtras extras,
                                 ProgressListener listener) {
        GenerationParameters p = new GenerationParameters(new Prompt(prompt, "", 1),
                new ImageSize(64, 64), new Batch(1, 1), Noise.of(21),
                new Sampling(sampler, "Automatic", 4, cfg, extras));
        return new ImageGeneration(model, NetworkDirectories.none(), vae).generate(p, Optional.empty(), listener);
    }

    @Test
    void composableDiffusionWeighsEachSubPromptsGuidance() {
        float[] plain = run("a red house", "Euler", 7, SamplerExtras.DEFAULTS).latents();
        // Two halves of the same prompt add up to it; a single prompt of weight 2 is CFG doubled.
        float[] halves = run("a red house :0.5 AND a red house :0.5", "Euler", 7, SamplerExtras.DEFAULTS).latents();
        float[] doubled = run("a red house :2", "Euler", 3.5, SamplerExtras.DEFAULTS).latents();
        float[] mixed = run("a red house AND a blue boat on a long and winding river at dusk, oil painting :0.7",
                "Euler", 7, SamplerExtras.DEFAULTS).latents();
        assertThat(Tensors.maxAbs(halves, plain)).isLessThan(1e-3);
        assertThat(Tensors.maxAbs(doubled, plain)).isLessThan(1e-3);
        assertThat(Tensors.maxAbs(mixed, plain)).isGreaterThan(1e-2);
    }

    @Test
    void etaZeroMakesEulerAncestralPlainEulerAndChurnOnlyActsInsideItsWindow() {
        SamplerExtras etaZero = new SamplerExtras(0, 0, 0, Double.POSITIVE_INFINITY, 1);
        float[] euler = run("a tree", "Euler", 7, SamplerExtras.DEFAULTS).latents();
        assertThat(Tensors.maxAbs(run("a tree", "Euler a", 7, etaZero).latents(), euler)).isLessThan(1e-4);
        assertThat(Tensors.maxAbs(run("a tree", "Euler a", 7, SamplerExtras.DEFAULTS).latents(), euler)).isGreaterThan(1e-2);

        SamplerExtras churn = new SamplerExtras(1, 1, 0, Double.POSITIVE_INFINITY, 1);
        SamplerExtras churnOutsideWindow = new SamplerExtras(1, 1, 0, 1e-6, 1);
        assertThat(Tensors.maxAbs(run("a tree", "Euler", 7, churn).latents(), euler)).isGreaterThan(1e-2);
        assertThat(Tensors.maxAbs(run("a tree", "Euler", 7, churnOutsideWindow).latents(), euler)).isEqualTo(0);
    }

    @Test
    void anExternalVaeReplacesTheCheckpointsOwnAndIsNamedInTheInfotext(@TempDir Path dir) {
        // A1111's VAE layout: the checkpoint's first_stage_model.* without the prefix; then a copy with a darker decoder.
        SafetensorsFile checkpoint = SafetensorsFile.open(Reference.file("mini_sd15_fp32.safetensors"));
        SafetensorsWriter same = new SafetensorsWriter();
        SafetensorsWriter darker = new SafetensorsWriter();
        for (StoredTensor t : checkpoint.tensors()) {
            if (t.name().startsWith("first_stage_model.")) {
                String key = t.name().substring("first_stage_model.".length());
                float[] values = t.toFloats();
                same.putFloats(key, t.shape(), values);
                if (key.equals("decoder.conv_out.bias")) {
                    values = values.clone();
                    for (int i = 0; i < values.length; i++) {
                        values[i] -= 0.5f;
                    }
                }
                darker.putFloats(key, t.shape(), values);
            }
        }
        same.write(dir.resolve("same.vae.safetensors"));
        darker.write(dir.resolve("darker.vae.safetensors"));

        BufferedImage own = run("a lake", "Euler", 7, SamplerExtras.DEFAULTS).images().get(0).image();
        GeneratedImage sameImage = run(dir.resolve("same.vae.safetensors"), "a lake", "Euler", 7,
                SamplerExtras.DEFAULTS, ProgressListener.NONE).images().get(0);
        assertThat(meanBrightness(sameImage.image())).isEqualTo(meanBrightness(own));
        assertThat(PngFiles.readText(sameImage.png()).get("parameters")).contains("VAE: same.vae.safetensors", "VAE hash: ");
        BufferedImage darkerImage = run(dir.resolve("darker.vae.safetensors"), "a lake", "Euler", 7,
                SamplerExtras.DEFAULTS, ProgressListener.NONE).images().get(0).image();
        assertThat(meanBrightness(darkerImage)).isLessThan(meanBrightness(own) - 20);
        assertThat(meanBrightness(run("a lake", "Euler", 7, SamplerExtras.DEFAULTS).images().get(0).image()))
                .isEqualTo(meanBrightness(own));
    }

    @Test
    void livePreviewsArriveEveryNStepsAtAnEighthOfTheSize() {
        List<Integer> steps = new ArrayList<>();
        AtomicInteger width = new AtomicInteger();
        ProgressListener listener = new ProgressListener() {
            @Override
            public void onStep(int step, int total, double elapsedSeconds) {
            }

            @Override
            public int previewEvery() {
                return 2;
            }

            @Override
            public void onPreview(int step, BufferedImage preview) {
                steps.add(step);
                width.set(preview.getWidth());
            }
        };
        run("a tree", "Euler", 7, SamplerExtras.DEFAULTS, listener);
        assertThat(steps).containsExactly(2, 4);
        assertThat(width.get()).isEqualTo(8);
    }

    private static double meanBrightness(BufferedImage image) {
        double sum = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int p = image.getRGB(x, y);
                sum += ((p >> 16) & 0xff) + ((p >> 8) & 0xff) + (p & 0xff);
            }
        }
        return sum / (3.0 * image.getWidth() * image.getHeight());
    }
}
