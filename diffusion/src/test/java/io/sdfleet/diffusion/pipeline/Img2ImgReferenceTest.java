package io.sdfleet.diffusion.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import io.sdfleet.diffusion.checkpoint.SafetensorsFile;
import io.sdfleet.diffusion.image.PixelPlanes;
import io.sdfleet.diffusion.image.Resampler;
import io.sdfleet.diffusion.loading.ModelOptions;
import io.sdfleet.diffusion.loading.StableDiffusionModel;
import io.sdfleet.diffusion.testing.Base64Images;
import io.sdfleet.diffusion.testing.Reference;
import io.sdfleet.diffusion.testing.Tensors;
import io.sdfleet.request.Batch;
import io.sdfleet.request.GenerationParameters;
import io.sdfleet.request.HiresFix;
import io.sdfleet.request.ImageSize;
import io.sdfleet.request.Img2Img;
import io.sdfleet.request.InpaintingFill;
import io.sdfleet.request.MaskOptions;
import io.sdfleet.request.Noise;
import io.sdfleet.request.Prompt;
import io.sdfleet.request.ResizeMode;
import io.sdfleet.request.Sampling;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * img2img, inpainting (ordinary and 9-channel checkpoints), hires fix and tiling against the part-2 reference cases:
 * final latents within 1e-3 of their largest value, 8-bit images within ±2.
 */
class Img2ImgReferenceTest {

    @ParameterizedTest
    @ValueSource(strings = {"img2img_A_s60_Euler", "img2img_A_s30_DPMpp2MKarras"})
    void img2imgMatchesTheReference(String name) {
        JsonNode json = Reference.json("features/cases/" + name + ".json");
        GenerationParameters p = parameters(json).withImg2Img(new Img2Img(List.of(extraBase64("init_64.png")),
                json.path("denoising_strength").asDouble(), ResizeMode.JUST_RESIZE, null, null));
        check(name, json, p, "image_u8");
    }

    @ParameterizedTest
    @ValueSource(strings = {"inpaint_A", "inpaint_B"})
    void inpaintingMatchesTheReference(String name) {
        JsonNode json = Reference.json("features/cases/" + name + ".json");
        MaskOptions mask = new MaskOptions(extraBase64("mask_64.png"), json.path("mask_blur").asInt(),
                InpaintingFill.ofIndex(json.path("inpainting_fill").asInt()), json.path("inpaint_full_res").asBoolean(),
                32, json.path("inpainting_mask_invert").asInt() == 1);
        GenerationParameters p = parameters(json).withImg2Img(new Img2Img(List.of(extraBase64("init_64.png")),
                json.path("denoising_strength").asDouble(), ResizeMode.JUST_RESIZE, mask, null));
        GenerationResult result = check(name, json, p, "image_overlay_u8");
        // Outside the mask the output is the init image itself.
        int[][] maskPixels = PixelPlanes.luminance(extraImage("mask_64.png")).channels()[0];
        PixelPlanes init = PixelPlanes.rgb(extraImage("init_64.png"));
        PixelPlanes out = PixelPlanes.rgb(result.images().get(0).image());
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                if (maskPixels[y][x] == 0) {
                    for (int c = 0; c < 3; c++) {
                        assertThat(out.channels()[c][y][x]).isEqualTo(init.channels()[c][y][x]);
                    }
                }
            }
        }
    }

    @Test
    void latentMaskIsPillowsBicubicResize() {
        SafetensorsFile ref = Reference.tensors("features/cases/inpaint_A.safetensors");
        int[][] mask = PixelPlanes.luminance(extraImage("mask_64.png")).channels()[0];
        int[][] small = Resampler.resize(mask, 8, 8, Resampler.Filter.BICUBIC);
        float[] expected = ref.get("latent_mask_raw").toFloats();
        for (int i = 0; i < 64; i++) {
            assertThat(small[i / 8][i % 8] / 255.0).as("latent mask %d", i).isCloseTo(expected[i], Offset.offset(1.5 / 255));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"hires_A_bilinear"})
    void hiresFixMatchesTheReference(String name) {
        JsonNode json = Reference.json("features/cases/" + name + ".json");
        String upscaler = json.path("hr_upscaler").asText();
        GenerationParameters p = parameters(json).withHires(new HiresFix(json.path("hr_scale").asDouble(), 0, 0,
                upscaler, json.path("hr_second_pass_steps").asInt(), json.path("denoising_strength").asDouble(),
                null, null, null, null));
        check(name, json, p, "image_u8");
    }

    @Test
    void tilingMatchesTheReference() {
        JsonNode json = Reference.json("features/cases/tiling_A.json");
        check("tiling_A", json, parameters(json).withTiling(true), "image_u8");
    }

    private static GenerationResult check(String name, JsonNode json, GenerationParameters p, String imageTensor) {
        SafetensorsFile ref = Reference.tensors("features/cases/" + name + ".safetensors");
        try (StableDiffusionModel model = StableDiffusionModel.load(
                Reference.file("features/models/" + json.path("model").asText()), ModelOptions.cpu(Reference.file("clip-tokenizer")))) {
            GenerationResult result = new ImageGeneration(model).generate(p, Optional.empty(), ProgressListener.NONE);
            float[] expected = ref.get("latent").toFloats();
            double max = 0;
            for (float v : expected) {
                max = Math.max(max, Math.abs(v));
            }
            double error = Tensors.maxAbs(result.latents(), expected);
            int pixelError = maxPixelError(result.images().get(0).image(), ref.get(imageTensor).toFloats());
            System.out.printf("%s: max |latent error| %.2e (max |latent| %.1f), max pixel error %d%n", name, error, max, pixelError);
            assertThat(error).as(name + " latent").isLessThanOrEqualTo(1e-3 * max);
            assertThat(pixelError).as(name + " " + imageTensor).isLessThanOrEqualTo(2);
            return result;
        }
    }

    private static int maxPixelError(BufferedImage image, float[] hwc) {
        PixelPlanes planes = PixelPlanes.rgb(image);
        int w = planes.width();
        int worst = 0;
        for (int y = 0; y < planes.height(); y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    worst = Math.max(worst, Math.abs(planes.channels()[c][y][x] - (int) hwc[(y * w + x) * 3 + c]));
                }
            }
        }
        return worst;
    }

    private static GenerationParameters parameters(JsonNode json) {
        return new GenerationParameters(new Prompt(json.path("prompt").asText(), json.path("negative_prompt").asText(), 1),
                new ImageSize(json.path("width").asInt(), json.path("height").asInt()), new Batch(1, 1), Noise.of(json.path("seed").asLong()),
                new Sampling(json.path("sampler").asText(), "Automatic", json.path("steps").asInt(), json.path("cfg_scale").asDouble()));
    }

    private static String extraBase64(String file) {
        return Base64Images.file(Reference.file("features/extra/" + file));
    }

    private static BufferedImage extraImage(String file) {
        try {
            return ImageIO.read(Reference.file("features/extra/" + file).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
