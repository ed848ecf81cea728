package io.sdfleet.launcher;

import io.sdfleet.diffusion.checkpoint.SafetensorsWriter;
import io.sdfleet.diffusion.checkpoint.StoredTensor;
import io.sdfleet.diffusion.testing.SeededWeights;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Restore faces and a Real-ESRGAN hires fix through the whole fleet, with A1111's folders in the fleet's models
 * folder: {@code RealESRGAN/RealESRGAN_x4plus.pth} (the reference's small RRDB, a real torch.save file) and
 * {@code GFPGAN/} holding GFPGAN v1.4, RetinaFace and ParseNet (the reference's seeded weights, as .safetensors copies).
 * Each call is answered in A1111's shape with the infotext A1111 writes; restoring changes the image.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RestoreAndUpscaleEndToEndTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpClient http = HttpClient.newHttpClient();
    private TestFleet fleet;
    private A1111Calls calls;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        Path reference = TestFleet.reference();
        Path models = Files.createDirectories(dir.resolve("models"));
        Files.createSymbolicLink(models.resolve("mini_sd15_fp32.safetensors"),
                reference.resolve("mini_sd15_fp32.safetensors"));
        Files.copy(reference.resolve("restore/models/RealESRGAN_x4plus_small.pth"),
                Files.createDirectories(models.resolve("RealESRGAN")).resolve("RealESRGAN_x4plus.pth"));
        Path gfpgan = Files.createDirectories(models.resolve("GFPGAN"));
        write(SeededWeights.of("gfpgan_v14"), gfpgan.resolve("GFPGANv1.4.safetensors"));
        write(SeededWeights.of("retinaface_r50"), gfpgan.resolve("detection_Resnet50_Final.safetensors"));
        write(SeededWeights.of("parsenet"), gfpgan.resolve("parsing_parsenet.safetensors"));
        fleet = TestFleet.start(dir, "restore", 1, o -> new Fleet.Options(models, o.defaultModel(), o.tokenizer(),
                0, 1).withWorkerProperty("sdfleet.worker.preview-every", 0));
        calls = new A1111Calls(fleet, "faye");
    }

    private static void write(SeededWeights weights, Path file) {
        SafetensorsWriter writer = new SafetensorsWriter();
        for (String key : weights.keys()) {
            StoredTensor t = weights.get(key);
            writer.put(t);
        }
        writer.write(file);
    }

    @AfterAll
    void stop() throws Exception {
        if (fleet != null) {
            fleet.close();
        }
    }

    @Test
    void txt2imgWithRestoreFacesIsRestoredAndSaysSo() throws Exception {
        JsonNode listed = JSON.readTree(calls.get("/sdapi/v1/face-restorers"));
        assertThat(listed.toString()).isEqualTo("[{\"name\":\"GFPGAN\",\"cmd_dir\":null}]");
        String request = """
                {"prompt": "a portrait", "seed": 4242, "steps": 2, "width": 64, "height": 64, "restore_faces": %s,
                 "override_settings": {"face_restoration_model": "GFPGAN"}}""";
        JsonNode restored = txt2img(request.formatted("true"));
        JsonNode info = JSON.readTree(restored.get("info").asString());
        assertThat(info.get("restore_faces").asBoolean()).isTrue();
        assertThat(info.get("face_restoration_model").asString()).isEqualTo("GFPGAN");
        String infotext = info.get("infotexts").get(0).asString();
        assertThat(infotext).contains("Seed: 4242, Face restoration: GFPGAN, Size: 64x64");

        JsonNode plain = txt2img(request.formatted("false"));
        assertThat(JSON.readTree(plain.get("info").asString()).get("infotexts").get(0).asString())
                .doesNotContain("Face restoration");
        BufferedImage a = png(restored);
        BufferedImage b = png(plain);
        assertThat(a.getWidth()).isEqualTo(64);
        assertThat(differingPixels(a, b)).as("the restorer changed the image (a face was found and pasted back)")
                .isPositive();
    }

    @Test
    void txt2imgWithTheRealEsrganHiresFixIsUpscaledByTheModel() throws Exception {
        JsonNode upscalers = JSON.readTree(calls.get("/sdapi/v1/upscalers"));
        assertThat(upscalers.toString()).contains("\"name\":\"R-ESRGAN 4x+\"");
        JsonNode answer = txt2img("""
                {"prompt": "a castle", "seed": 7, "steps": 2, "width": 64, "height": 64, "enable_hr": true,
                 "hr_scale": 2, "hr_upscaler": "R-ESRGAN 4x+", "denoising_strength": 0.5}""");
        JsonNode info = JSON.readTree(answer.get("info").asString());
        assertThat(info.get("infotexts").get(0).asString())
                .contains("Hires upscale: 2, Hires upscaler: R-ESRGAN 4x+");
        assertThat(answer.get("parameters").get("hr_upscaler").asString()).isEqualTo("R-ESRGAN 4x+");
        BufferedImage image = png(answer);
        assertThat(image.getWidth()).isEqualTo(128);
        assertThat(image.getHeight()).isEqualTo(128);
    }

    @Test
    void img2imgUpscalesASmallInitImageWithTheUpscalerSetting() throws Exception {
        JsonNode small = txt2img("""
                {"prompt": "a lighthouse", "seed": 5, "steps": 2, "width": 64, "height": 64}""");
        String request = """
                {"init_images": ["%s"], "prompt": "a lighthouse", "seed": 5, "steps": 2, "width": 96, "height": 96,
                 "denoising_strength": 0.3%s}""";
        String init = small.get("images").get(0).asString();
        JsonNode upscaled = img2img(request.formatted(init,
                ", \"override_settings\": {\"upscaler_for_img2img\": \"R-ESRGAN 4x+\"}"));
        JsonNode plain = img2img(request.formatted(init, ""));
        assertThat(png(upscaled).getWidth()).isEqualTo(96);
        assertThat(differingPixels(png(upscaled), png(plain)))
                .as("the init image went through R-ESRGAN, not Lanczos").isPositive();
    }

    @Test
    void extraSingleImageRestoresFacesWithGfpganOnAWorker() throws Exception {
        JsonNode generated = txt2img("""
                {"prompt": "a face", "seed": 99, "steps": 2, "width": 64, "height": 64}""");
        String input = generated.get("images").get(0).asString();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(calls.uri("/sdapi/v1/extra-single-image"))
                .header("Content-Type", "application/json").header("X-Sdfleet-User", "faye")
                .POST(HttpRequest.BodyPublishers.ofString("{\"image\": \"" + input + "\", \"gfpgan_visibility\": 1,"
                        + " \"upscaling_resize\": 1}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode answer = JSON.readTree(r.body());
        assertThat(answer.get("html_info").asString()).contains("GFPGAN visibility: 1");
        BufferedImage restored = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder()
                .decode(answer.get("image").asString())));
        assertThat(differingPixels(restored, png(generated))).as("GFPGAN changed the image").isPositive();
    }

    private JsonNode txt2img(String body) throws Exception {
        return calls.generate("txt2img", body);
    }

    private JsonNode img2img(String body) throws Exception {
        return calls.generate("img2img", body);
    }

    private static BufferedImage png(JsonNode answer) throws Exception {
        return A1111Calls.png(answer);
    }

    private static int differingPixels(BufferedImage a, BufferedImage b) {
        return A1111Calls.differingPixels(a, b);
    }
}
