package io.sdfleet.diffusion.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.checkpoint.SafetensorsFile;
import io.sdfleet.diffusion.checkpoint.SafetensorsWriter;
import io.sdfleet.diffusion.checkpoint.StoredTensor;
import io.sdfleet.diffusion.loading.StableDiffusionModel;
import io.sdfleet.diffusion.model.NoisePredictor;
import io.sdfleet.diffusion.networks.NetworkDirectories;
import io.sdfleet.diffusion.nn.PaddingMode;
import io.sdfleet.diffusion.runtime.TorchCpuRandom;
import io.sdfleet.diffusion.testing.MiniModel;
import io.sdfleet.diffusion.testing.Reference;
import io.sdfleet.diffusion.testing.Tensors;
import io.sdfleet.diffusion.unet.ContextTransform;
import io.sdfleet.diffusion.unet.UNetModel;
import io.sdfleet.diffusion.unet.UNetSettings;
import io.sdfleet.request.Batch;
import io.sdfleet.request.GenerationParameters;
import io.sdfleet.request.ImageSize;
import io.sdfleet.request.Noise;
import io.sdfleet.request.Prompt;
import io.sdfleet.request.Sampling;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs with different settings on one loaded model, one after the other and side by side, come out exactly as each
 * does on a freshly loaded model, with nothing reset in between: no run's choices stay behind on the shared model.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SharedModelRunsTest {

    private StableDiffusionModel shared;

    @BeforeAll
    void load() {
        shared = MiniModel.load();
    }

    @AfterAll
    void close() {
        shared.close();
    }

    @Test
    void tilingOnThenOffEachMatchTheRunOnAFreshModel() {
        GenerationResult tiled = run(shared, parameters(true), null);
        GenerationResult plain = run(shared, parameters(false), null);

        assertSameImages(tiled, onFreshModel(parameters(true), null));
        assertSameImages(plain, onFreshModel(parameters(false), null));
        assertThat(Tensors.maxAbs(tiled.latents(), plain.latents())).as("tiling changes the run").isGreaterThan(1e-3);
    }

    @Test
    void anExternalVaeThenTheCheckpointsOwnEachMatchTheRunOnAFreshModel(@TempDir Path dir) {
        Path darker = darkerVae(dir);
        GenerationResult external = run(shared, parameters(false), darker);
        GenerationResult own = run(shared, parameters(false), null);

        assertSameImages(external, onFreshModel(parameters(false), darker));
        assertSameImages(own, onFreshModel(parameters(false), null));
        assertThat(pixels(external.images().get(0).image())).as("the external VAE changes the image")
                .isNotEqualTo(pixels(own.images().get(0).image()));
        assertThat(own.images().get(0).infotext()).doesNotContain("VAE");
    }

    @Test
    void aContextTransformThenNoneEachMatchThePredictionOfAFreshModel() {
        // keys and values from rescaled contexts: what a hypernetwork does, without needing one on disk
        ContextTransform rescaled = context -> new ContextTransform.Sources(context.mul(1.5f), context.mul(0.5f));
        float[] transformed;
        float[] plain;
        try (NDManager m = shared.manager().newSubManager()) {
            transformed = predict(shared.unet(), m, rescaled);
            plain = predict(shared.unet(), m, null);
        }
        try (StableDiffusionModel fresh = MiniModel.load(); NDManager m = fresh.manager().newSubManager()) {
            assertThat(transformed).containsExactly(predict(fresh.unet(), m, rescaled));
        }
        try (StableDiffusionModel fresh = MiniModel.load(); NDManager m = fresh.manager().newSubManager()) {
            assertThat(plain).containsExactly(predict(fresh.unet(), m, null));
        }
        assertThat(Tensors.maxAbs(transformed, plain)).as("the transform changes the prediction").isGreaterThan(1e-3);
    }

    @Test
    void runsWithDifferentSettingsSideBySideEachMatchTheRunOnAFreshModel(@TempDir Path dir) throws Exception {
        Path darker = darkerVae(dir);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<GenerationResult> tiledExternal = pool.submit(() -> run(shared, parameters(true), darker));
            Future<GenerationResult> plainOwn = pool.submit(() -> run(shared, parameters(false), null));

            assertSameImages(tiledExternal.get(), onFreshModel(parameters(true), darker));
            assertSameImages(plainOwn.get(), onFreshModel(parameters(false), null));
        } finally {
            pool.shutdownNow();
        }
    }

    private static GenerationParameters parameters(boolean tiling) {
        return new GenerationParameters(new Prompt("a lighthouse on a cliff", "blurry", 1), new ImageSize(64, 64),
                new Batch(1, 1), Noise.of(21), new Sampling("Euler", "Automatic", 4, 7, null), null, null, null, tiling);
    }

    /** @param vae an external VAE file, or null for the checkpoint's own */
    private static GenerationResult run(StableDiffusionModel model, GenerationParameters p, Path vae) {
        return new ImageGeneration(model, NetworkDirectories.none(), vae).generate(p, Optional.empty(), ProgressListener.NONE);
    }

    private static GenerationResult onFreshModel(GenerationParameters p, Path vae) {
        try (StableDiffusionModel fresh = MiniModel.load()) {
            return run(fresh, p, vae);
        }
    }

    /** One UNet prediction on seeded inputs with a plain run's settings and {@code transform} (null: none). */
    private static float[] predict(UNetModel unet, NDManager m, ContextTransform transform) {
        NDArray x = TorchCpuRandom.randn(m, 5, new Shape(1, 4, 8, 8));
        NDArray context = TorchCpuRandom.randn(m, 6, new Shape(1, 77, unet.contextDim()));
        NoisePredictor run = unet.with(new UNetSettings(PaddingMode.ZEROS, unet.attention(), transform));
        return run.predict(x, m.create(new float[] {500f}), context).toFloatArray();
    }

    /** The checkpoint's VAE with conv_out's bias lowered: the same network, visibly darker images. */
    private static Path darkerVae(Path dir) {
        SafetensorsWriter darker = new SafetensorsWriter();
        try (SafetensorsFile checkpoint = Reference.tensors("mini_sd15_fp32.safetensors")) {
            for (StoredTensor t : checkpoint.tensors()) {
                if (t.name().startsWith("first_stage_model.")) {
                    String key = t.name().substring("first_stage_model.".length());
                    float[] values = t.toFloats();
                    if (key.equals("decoder.conv_out.bias")) {
                        values = values.clone();
                        for (int i = 0; i < values.length; i++) {
                            values[i] -= 0.5f;
                        }
                    }
                    darker.putFloats(key, t.shape(), values);
                }
            }
        }
        Path file = dir.resolve("darker.vae.safetensors");
        darker.write(file);
        return file;
    }

    private static void assertSameImages(GenerationResult actual, GenerationResult expected) {
        assertThat(actual.latents()).containsExactly(expected.latents());
        assertThat(actual.images()).hasSameSizeAs(expected.images());
        for (int k = 0; k < actual.images().size(); k++) {
            assertThat(pixels(actual.images().get(k).image())).isEqualTo(pixels(expected.images().get(k).image()));
            assertThat(actual.images().get(k).infotext()).isEqualTo(expected.images().get(k).infotext());
        }
    }

    private static int[] pixels(BufferedImage image) {
        return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    }
}
