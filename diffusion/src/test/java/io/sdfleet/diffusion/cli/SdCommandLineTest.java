package io.sdfleet.diffusion.cli;

import io.sdfleet.diffusion.testing.ImagePlanes;
import com.fasterxml.jackson.databind.JsonNode;
import io.sdfleet.diffusion.checkpoint.SafetensorsFile;
import io.sdfleet.diffusion.image.PngFiles;
import io.sdfleet.diffusion.testing.Reference;
import io.sdfleet.diffusion.testing.Tensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The ./sd contract: outputs in the promised formats, one clear line and a non-zero status for bad input. */
class SdCommandLineTest {

    private record Run(int status, String out, String err) {
    }

    private static Run sd(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Sd.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void tokenizePrintsThe77IdsAsJson() {
        JsonNode c = Reference.json("cases/tokenizer.json").path("cases").get(0);
        Run run = sd("tokenize", "--tokenizer", Reference.file("clip-tokenizer").toString(), c.path("prompt").asText());
        assertThat(run.status()).isZero();
        assertThat(run.out().strip()).isEqualTo(c.path("input_ids_77").toString().replace(",", ", "));
    }

    @Test
    void parsePromptPrintsA1111sParse() {
        Run run = sd("parse-prompt", "an (important) word BREAK [x]");
        assertThat(run.out().strip())
                .isEqualTo("[[\"an \",1.0],[\"important\",1.1],[\" word\",1.0],[\"BREAK\",-1],[\"\",1.0],[\"x\",0.9090909090909091]]");
    }

    @Test
    void encodePromptWritesA1111sConditioning(@TempDir Path dir) {
        JsonNode c = Reference.json("a1111/cases/a1111_conditioning.json").path("cases").get(1);
        Path out = dir.resolve("cond.safetensors");
        Run run = sd("encode-prompt", "--model", Reference.file("mini_sd15_fp32.safetensors").toString(),
                "--tokenizer", Reference.file("clip-tokenizer").toString(), "--clip-skip", "2", "--out", out.toString(),
                c.path("prompt").asText());
        assertThat(run.status()).as(run.err()).isZero();
        float[] cond = SafetensorsFile.open(out).get("cond").toFloats();
        float[] expected = Reference.tensors("a1111/cases/a1111_conditioning.safetensors")
                .get(c.path("name").asText() + ".cond_clipskip2").toFloats();
        assertThat(Tensors.maxAbs(cond, expected)).isLessThanOrEqualTo(1e-4);
    }

    @Test
    void encodePromptOnSdxlWritesTheContextAndVectorA1111Gives(@TempDir Path dir) {
        JsonNode cases = Reference.json("sdxl/cases/conditioning.json").path("cases");
        for (JsonNode c : cases) {
            String name = c.path("name").asText();
            if (!name.equals("base_pos_96x64_crop") && !name.equals("refiner_neg_64")) {
                continue;
            }
            Path out = dir.resolve(name + ".safetensors");
            List<String> args = new java.util.ArrayList<>(List.of("encode-prompt",
                    "--model", Reference.file("sdxl/models/" + c.path("model").asText() + ".safetensors").toString(),
                    "--tokenizer", Reference.file("clip-tokenizer").toString(), "--width", c.path("width").asText(),
                    "--height", c.path("height").asText(), "--sdxl-crop-top", c.path("options").path("sdxl_crop_top").asText(),
                    "--sdxl-crop-left", c.path("options").path("sdxl_crop_left").asText(), "--out", out.toString()));
            if (c.path("is_negative_prompt").asBoolean()) {
                args.add("--negative");
            }
            args.add(c.path("prompt").asText());
            Run run = sd(args.toArray(String[]::new));
            assertThat(run.status()).as(run.err()).isZero();
            SafetensorsFile written = SafetensorsFile.open(out);
            SafetensorsFile expected = Reference.tensors("sdxl/cases/conditioning.safetensors");
            assertThat(Tensors.maxAbs(written.get("cond").toFloats(), expected.get(name + ".crossattn").toFloats()))
                    .as(name).isLessThanOrEqualTo(1e-4);
            assertThat(Tensors.maxAbs(written.get("vector").toFloats(), expected.get(name + ".vector").toFloats()))
                    .as(name).isLessThanOrEqualTo(1e-4);
        }
    }

    @Test
    void txt2imgOnSdxlHandsOverToTheRefiner(@TempDir Path dir) throws Exception {
        JsonNode r = Reference.json("sdxl/cases/refiner_euler_switch_0.8.json").path("a1111_request");
        Path latents = dir.resolve("latents.safetensors");
        Run run = sd("txt2img", "--model", Reference.file("sdxl/models/mini_sdxl_base.safetensors").toString(),
                "--refiner", Reference.file("sdxl/models/mini_sdxl_refiner.safetensors").toString(),
                "--refiner-switch-at", "0.8", "--tokenizer", Reference.file("clip-tokenizer").toString(),
                "--prompt", r.path("prompt").asText(), "--steps", r.path("steps").asText(), "--seed",
                r.path("seed").asText(), "--width", "64", "--height", "64", "--sampler", "Euler",
                "--out", dir.resolve("images").toString(), "--latents-out", latents.toString());
        assertThat(run.status()).as(run.err()).isZero();
        float[] expected = Reference.tensors("sdxl/cases/refiner_euler_switch_0.8.safetensors").get("latent").toFloats();
        assertThat(Tensors.maxAbs(SafetensorsFile.open(latents).get("latents").toFloats(), expected))
                .isLessThanOrEqualTo(1e-3 * 88);
        try (var files = Files.list(dir.resolve("images"))) {
            String parameters = PngFiles.readText(Files.readAllBytes(files.findFirst().orElseThrow())).get("parameters");
            assertThat(parameters).contains("Model: mini_sdxl_base").contains("Refiner: mini_sdxl_refiner [")
                    .contains("Refiner switch at: 0.8");
        }
    }

    @Test
    void txt2imgWritesPngsWithInfotextAndLatents(@TempDir Path dir) throws Exception {
        Path latents = dir.resolve("latents.safetensors");
        Run run = sd("txt2img", "--model", Reference.file("mini_sd15_fp32.safetensors").toString(),
                "--tokenizer", Reference.file("clip-tokenizer").toString(), "--prompt", "a (red) boat",
                "--negative-prompt", "blurry", "--sampler", "DPM++ 2M", "--scheduler", "Karras", "--steps", "3",
                "--seed", "42", "--width", "64", "--height", "48", "--batch-size", "2", "--clip-skip", "2",
                "--out", dir.resolve("images").toString(), "--latents-out", latents.toString());
        assertThat(run.status()).as(run.err()).isZero();
        try (var files = Files.list(dir.resolve("images"))) {
            List<Path> pngs = files.sorted().toList();
            assertThat(pngs).extracting(p -> p.getFileName().toString()).containsExactly("00000-42.png", "00001-43.png");
            String parameters = PngFiles.readText(Files.readAllBytes(pngs.get(1))).get("parameters");
            assertThat(parameters).isEqualTo("a (red) boat\nNegative prompt: blurry\nSteps: 3, Sampler: DPM++ 2M, "
                    + "Schedule type: Karras, CFG scale: 7, Seed: 43, Size: 64x48, Model hash: "
                    + parameters.split("Model hash: ")[1].substring(0, 10) + ", Model: mini_sd15_fp32, Clip skip: 2, "
                    + "RNG: CPU, Version: sdfleet-0.1.0");
        }
        assertThat(SafetensorsFile.open(latents).get("latents").shape()).containsExactly(2, 4, 6, 8);
    }

    @Test
    void img2imgInpaintsFromTheCommandLine(@TempDir Path dir) throws Exception {
        Run run = sd("img2img", "--model", Reference.file("features/models/mini_sd1.safetensors").toString(),
                "--tokenizer", Reference.file("clip-tokenizer").toString(), "--prompt", "a dog", "--steps", "4",
                "--seed", "5", "--width", "64", "--height", "64",
                "--init-image", Reference.file("features/extra/init_64.png").toString(),
                "--mask", Reference.file("features/extra/mask_64.png").toString(), "--mask-blur", "2",
                "--inpainting-fill", "latent-noise", "--denoising-strength", "0.6", "--out", dir.toString());
        assertThat(run.status()).as(run.err()).isZero();
        String parameters = PngFiles.readText(Files.readAllBytes(dir.resolve("00000-5.png"))).get("parameters");
        assertThat(parameters).contains("Denoising strength: 0.6", "Mask blur: 2", "Seed: 5", "Size: 64x64");
    }

    @Test
    void txt2imgRunsTheHiresFixAndTiling(@TempDir Path dir) throws Exception {
        Run run = sd("txt2img", "--model", Reference.file("mini_sd15_fp32.safetensors").toString(),
                "--tokenizer", Reference.file("clip-tokenizer").toString(), "--prompt", "a castle", "--steps", "3",
                "--seed", "8", "--width", "32", "--height", "32", "--tiling", "--enable-hr", "--hr-scale", "1.5",
                "--hr-upscaler", "Lanczos", "--hr-second-pass-steps", "2", "--denoising-strength", "0.5",
                "--out", dir.toString());
        assertThat(run.status()).as(run.err()).isZero();
        byte[] png = Files.readAllBytes(dir.resolve("00000-8.png"));
        assertThat(ImageIO.read(new ByteArrayInputStream(png)).getWidth()).isEqualTo(48);
        assertThat(PngFiles.readText(png).get("parameters")).contains("Size: 32x32", "Tiling: True",
                "Denoising strength: 0.5", "Hires upscale: 1.5", "Hires steps: 2", "Hires upscaler: Lanczos");
    }

    @Test
    void txt2imgRunsTheHiresFixWithAnEsrganFile(@TempDir Path dir) throws Exception {
        Path esrgan = Files.createDirectories(dir.resolve("ESRGAN"));
        Files.copy(Reference.file("restore/models/4x-small-oldarch.pth"), esrgan.resolve("4x-UltraSharp.pth"));
        Run run = sd("txt2img", "--model", Reference.file("mini_sd15_fp32.safetensors").toString(),
                "--tokenizer", Reference.file("clip-tokenizer").toString(), "--prompt", "a castle", "--steps", "2",
                "--seed", "8", "--width", "32", "--height", "32", "--enable-hr", "--hr-scale", "2",
                "--hr-upscaler", "4x-UltraSharp", "--esrgan-dir", esrgan.toString(), "--hr-second-pass-steps", "1",
                "--out", dir.resolve("out").toString());
        assertThat(run.status()).as(run.err()).isZero();
        byte[] png = Files.readAllBytes(dir.resolve("out/00000-8.png"));
        assertThat(ImageIO.read(new ByteArrayInputStream(png)).getWidth()).isEqualTo(64);
        assertThat(PngFiles.readText(png).get("parameters")).contains("Hires upscaler: 4x-UltraSharp");
    }

    @Test
    void badArgumentsExitNonZeroWithOneClearLine() {
        String model = Reference.file("mini_sd15_fp32.safetensors").toString();
        String tok = Reference.file("clip-tokenizer").toString();
        assertBad(sd("txt2img", "--model", model, "--tokenizer", tok, "--prompt", "x", "--sampler", "Nope"), "unknown sampler 'Nope'");
        assertBad(sd("txt2img", "--model", model, "--tokenizer", tok, "--prompt", "x", "--width", "100"), "--width");
        assertBad(sd("txt2img", "--model", "/no/such/model.safetensors", "--prompt", "x"), "no such file");
        assertBad(sd("txt2img", "--model", model, "--prompt", "x", "--stepz", "3"), "unknown option --stepz");
        assertBad(sd("frobnicate"), "unknown command");
        assertBad(sd("img2img", "--model", model, "--tokenizer", tok, "--prompt", "x"), "--init-image");
        assertBad(sd("txt2img", "--model", model, "--tokenizer", tok, "--prompt", "x", "--enable-hr",
                "--hr-upscaler", "Latent (bicubic)"), "hr_upscaler");
        assertBad(sd("txt2img", "--model", model, "--tokenizer", tok, "--prompt", "x", "--enable-hr",
                "--hr-upscaler", "R-ESRGAN 4x+"), "upscaler 'R-ESRGAN 4x+' needs the file RealESRGAN/RealESRGAN_x4plus.pth");
    }

    @Test
    void restoreFacesNamesWhatIsMissingInOneLine(@TempDir Path dir) throws Exception {
        Path model = Files.writeString(dir.resolve("codeformer-v0.1.0.pth"), "x");
        Path image = Reference.file("restore/models/4x-small-oldarch.safetensors"); // any existing file will do here
        String out = dir.resolve("out.png").toString();
        assertBad(sd("restore-faces", "--restorer", "RestoreFormer", "--model", model.toString(), "--face-models",
                dir.toString(), "--image", image.toString(), "--out", out), "--restorer must be one of [CodeFormer, GFPGAN]");
        assertBad(sd("restore-faces", "--restorer", "codeformer", "--model", model.toString(), "--face-models",
                dir.toString(), "--image", image.toString(), "--out", out), "has no detection_Resnet50_Final.pth");
        Files.writeString(dir.resolve("detection_Resnet50_Final.pth"), "x");
        assertBad(sd("restore-faces", "--restorer", "CodeFormer", "--model", model.toString(), "--face-models",
                dir.toString(), "--image", image.toString(), "--out", out), "has no parsing_parsenet.pth");
        assertBad(sd("restore-faces", "--restorer", "CodeFormer", "--model", model.toString(), "--face-models",
                dir.toString(), "--image", image.toString(), "--out", out, "--codeformer-weight", "1.5"),
                "--codeformer-weight must be between 0 and 1");
    }

    @Test
    void corruptCheckpointIsRejectedWithOneLine(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("broken.safetensors");
        Files.write(bad, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
        assertBad(sd("txt2img", "--model", bad.toString(), "--tokenizer", Reference.file("clip-tokenizer").toString(),
                "--prompt", "x"), "broken.safetensors");
    }

    private static void assertBad(Run run, String expected) {
        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).contains(expected);
        assertThat(run.err().strip().lines()).hasSize(1);
    }
    /** {@code ./sd upscale} on the hires-fix reference case: default tiling (one padded tile), then Lanczos to 2×. */
    @Test
    void upscaleMatchesA1111sUpscalerOnTheHiresFixCase(@TempDir Path dir) throws Exception {
        SafetensorsFile ref = Reference.tensors("restore/cases/upscale_hires_fix_path.safetensors");
        Path input = dir.resolve("in.png");
        Files.write(input, PngFiles.encode(ImagePlanes.hwc(ref.get("input_rgb_u8")).toImage(), java.util.Map.of()));
        String model = Reference.file("restore/models/RealESRGAN_x4plus_small.pth").toString();

        Path out = dir.resolve("out.png");
        Run run = sd("upscale", "--upscaler", model, "--image", input.toString(), "--out", out.toString(), "--scale", "2");
        assertThat(run.status()).as(run.err()).isZero();
        int err = ImagePlanes.maxDiff(read(out), ImagePlanes.hwc(ref.get("output_rgb_u8")));
        System.out.printf("./sd upscale upscale_hires_fix_path: u8 %d%n", err);
        assertThat(err).isLessThanOrEqualTo(2);

        // untiled at the model's own scale: the 4x contrast output, no black padding
        Path untiled = dir.resolve("untiled.png");
        run = sd("upscale", "--upscaler", model, "--image", input.toString(), "--out", untiled.toString(), "--tile", "0");
        assertThat(run.status()).as(run.err()).isZero();
        assertThat(ImagePlanes.maxDiff(read(untiled), ImagePlanes.hwc(ref.get("contrast_untiled_4x_rgb_u8")))).isLessThanOrEqualTo(2);

        assertThat(sd("upscale", "--upscaler", model, "--image", input.toString(), "--out", out.toString(),
                "--tile", "8", "--tile-overlap", "8").err()).contains("--tile");
        assertThat(sd("upscale", "--image", input.toString(), "--out", out.toString()).err())
                .contains("missing required option --upscaler");
    }

    /** {@code ./sd extras} as extra-single-image: the upscale with A1111's infotext; face restoration through the seam. */
    @Test
    void extrasUpscalesWithA1111sInfotextAndNamesAnUnavailableFaceRestorer(@TempDir Path dir) throws Exception {
        SafetensorsFile ref = Reference.tensors("restore/cases/upscale_hires_fix_path.safetensors");
        Path input = dir.resolve("in.png");
        Files.write(input, PngFiles.encode(ImagePlanes.hwc(ref.get("input_rgb_u8")).toImage(), java.util.Map.of()));
        Path model = Reference.file("restore/models/RealESRGAN_x4plus_small.pth");
        Path out = dir.resolve("out.png");
        Run run = sd("extras", "--image", input.toString(), "--out", out.toString(), "--upscaler", model.toString(),
                "--upscaling-resize", "2");
        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.out().strip()).isEqualTo("Postprocess upscale by: 2.0, Postprocess upscaler: RealESRGAN_x4plus_small");
        assertThat(PngFiles.readText(Files.readAllBytes(out))).containsEntry("postprocessing", run.out().strip());
        assertThat(ImagePlanes.maxDiff(read(out), ImagePlanes.hwc(ref.get("output_rgb_u8")))).isLessThanOrEqualTo(2);

        Run restore = sd("extras", "--image", input.toString(), "--out", dir.resolve("r.png").toString(),
                "--gfpgan-model", model.toString(), "--gfpgan-visibility", "0.5", "--face-models", dir.toString());
        assertThat(restore.status()).isEqualTo(2);
        assertThat(restore.err()).contains("has no detection_Resnet50_Final.pth");
    }

    private static io.sdfleet.diffusion.image.PixelPlanes read(Path png) throws Exception {
        return io.sdfleet.diffusion.image.PixelPlanes.rgb(ImageIO.read(png.toFile()));
    }
}
