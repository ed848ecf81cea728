package io.sdfleet.diffusion.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import io.sdfleet.diffusion.checkpoint.SafetensorsFile;
import io.sdfleet.diffusion.clip.OpenClipTextModel;
import io.sdfleet.diffusion.loading.ModelOptions;
import io.sdfleet.diffusion.loading.StableDiffusionModel;
import io.sdfleet.diffusion.model.NoisePredictor.Prediction;
import io.sdfleet.diffusion.testing.Reference;
import io.sdfleet.diffusion.testing.Tensors;
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

import java.awt.image.BufferedImage;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The part-2 mini SD 2.x v-prediction model (case sd2v_C) loaded through {@link StableDiffusionModel}: a single
 * UNet call (rel 1e-4 of max|v|) and a whole Euler txt2img with CFG through {@link ImageGeneration} (latent rel 1e-3 of
 * max|latent|, image_u8 ±2).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Sd2ReferenceTest {

    static final String MODEL = "features/models/mini_sd2v.safetensors";
    private static final String CASE = "features/cases/sd2v_C";

    private StableDiffusionModel model;

    @BeforeAll
    void load() {
        model = StableDiffusionModel.load(Reference.file(MODEL), ModelOptions.cpu(Reference.file("clip-tokenizer")));
    }

    @AfterAll
    void close() {
        if (model != null) {
            model.close();
        }
    }

    @Test
    void loadsAsSd2WithOpenClipAndVPrediction() {
        assertThat(model.textEncoder()).isInstanceOf(OpenClipTextModel.class);
        assertThat(model.unet().prediction()).isEqualTo(Prediction.V);
    }

    @Test
    void singleUNetCallMatchesVProbe() {
        try (SafetensorsFile ref = Reference.tensors(CASE + ".safetensors");
             NDManager call = model.manager().newSubManager()) {
            NDArray v = model.unet().predict(Tensors.load(ref.get("x_probe"), call),
                    Tensors.load(ref.get("t_probe"), call), Tensors.load(ref.get("cond"), call));
            double err = Tensors.maxAbs(v, ref.get("v_probe"));
            double scale = maxAbs(ref.get("v_probe").toFloats());
            System.out.printf("sd2v_C v_probe max-abs %.3g (rel %.3g of max|v| %.3g)%n", err, err / scale, scale);
            assertThat(err / scale).isLessThan(1e-4);
        }
    }

    @Test
    void eulerTxt2ImgWithTheCaseNoiseMatchesLatentAndImage() {
        GenerationResult result = new ImageGeneration(model).generate(parameters(),
                Optional.of(NoiseFile.read(Reference.file(CASE + ".safetensors"))), ProgressListener.NONE);
        assertMatchesReference(result, "case noise");
    }

    @Test
    void seedAloneDrawsTheCaseNoise() {
        GenerationResult result = new ImageGeneration(model).generate(parameters(), Optional.empty(), ProgressListener.NONE);
        assertMatchesReference(result, "seed");
    }

    private static void assertMatchesReference(GenerationResult result, String noise) {
        try (SafetensorsFile ref = Reference.tensors(CASE + ".safetensors")) {
            float[] expected = ref.get("latent").toFloats();
            double err = Tensors.maxAbs(result.latents(), expected);
            double scale = maxAbs(expected);
            int pixelErr = maxPixelError(result.images().get(0).image(), ref.get("image_u8").toFloats());
            System.out.printf("sd2v_C txt2img (%s): latent max-abs %.3g (rel %.3g of max|x| %.3g), image_u8 max %d%n",
                    noise, err, err / scale, scale, pixelErr);
            assertThat(err / scale).as("latent").isLessThan(1e-3);
            assertThat(pixelErr).as("image_u8").isLessThanOrEqualTo(2);
        }
    }

    private static GenerationParameters parameters() {
        JsonNode json = Reference.json(CASE + ".json");
        return new GenerationParameters(new Prompt(json.path("prompt").asText(), json.path("negative_prompt").asText(), 1),
                new ImageSize(json.path("width").asInt(), json.path("height").asInt()), new Batch(1, 1), Noise.of(json.path("seed").asLong()),
                new Sampling(json.path("sampler").asText(), "Automatic", json.path("steps").asInt(), json.path("cfg_scale").asDouble()));
    }

    /** Largest channel difference between an image and an HWC uint8 reference. */
    private static int maxPixelError(BufferedImage image, float[] hwc) {
        int worst = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y);
                int base = (y * image.getWidth() + x) * 3;
                int[] actual = {(rgb >> 16) & 0xFF, (rgb >> 8) & 0xFF, rgb & 0xFF};
                for (int c = 0; c < 3; c++) {
                    worst = Math.max(worst, Math.abs(actual[c] - (int) hwc[base + c]));
                }
            }
        }
        return worst;
    }

    static double maxAbs(float[] values) {
        double max = 0;
        for (float v : values) {
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }
}
