package io.sdfleet.launcher;

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
 * SDXL through the whole fleet (real RabbitMQ, PostgreSQL, S3 API): the reference's mini SDXL base and refiner in the
 * models folder beside SD 1.5, listed by /sd-models with their type, and an A1111 txt2img on the base that hands over
 * to the refiner at 0.8, answered in A1111's shape with the infotext A1111 writes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SdxlEndToEndTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpClient http = HttpClient.newHttpClient();
    private TestFleet fleet;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        Path reference = TestFleet.reference();
        Path models = Files.createDirectories(dir.resolve("models"));
        Files.createSymbolicLink(models.resolve("mini_sd15_fp32.safetensors"),
                reference.resolve("mini_sd15_fp32.safetensors"));
        for (String mini : new String[] {"mini_sdxl_base", "mini_sdxl_refiner"}) {
            for (String ext : new String[] {".safetensors", ".json"}) { // the sidecar gives the minis' head widths
                Files.createSymbolicLink(models.resolve(mini + ext), reference.resolve("sdxl/models/" + mini + ext));
            }
        }
        fleet = TestFleet.start(dir, "sdxl", 1, o -> new Fleet.Options(models, o.defaultModel(), o.tokenizer(), 0, 1)
                .withWorkerProperty("sdfleet.worker.preview-every", 0));
    }

    @AfterAll
    void stop() throws Exception {
        if (fleet != null) {
            fleet.close();
        }
    }

    @Test
    void txt2imgOnTheSdxlBaseHandsOverToTheRefiner() throws Exception {
        JsonNode listed = JSON.readTree(get("/sdapi/v1/sd-models"));
        java.util.Map<String, String> types = new java.util.HashMap<>();
        listed.forEach(m -> types.put(m.get("model_name").asString(), m.get("type").asString()));
        assertThat(types).containsEntry("mini_sdxl_base", "sdxl").containsEntry("mini_sdxl_refiner", "sdxl-refiner")
                .containsEntry("mini_sd15_fp32", "sd1");
        JsonNode answer = txt2img("""
                {"prompt": "a photograph of an astronaut riding a horse", "seed": 4242, "steps": 8, "width": 64,
                 "height": 64, "sampler_name": "Euler", "refiner_checkpoint": "mini_sdxl_refiner",
                 "refiner_switch_at": 0.8, "override_settings": {"sd_model_checkpoint": "mini_sdxl_base"}}""");
        JsonNode info = JSON.readTree(answer.get("info").asString());
        String infotext = info.get("infotexts").get(0).asString();
        assertThat(infotext).contains("Model: mini_sdxl_base").contains("Refiner: mini_sdxl_refiner [")
                .contains("Refiner switch at: 0.8").contains("Size: 64x64");
        assertThat(answer.get("parameters").get("refiner_checkpoint").asString()).isEqualTo("mini_sdxl_refiner");
        BufferedImage image = png(answer);
        assertThat(image.getWidth()).isEqualTo(64);

        JsonNode plain = txt2img("""
                {"prompt": "a photograph of an astronaut riding a horse", "seed": 4242, "steps": 8, "width": 64,
                 "height": 64, "sampler_name": "Euler", "override_settings": {"sd_model_checkpoint": "mini_sdxl_base"}}""");
        assertThat(JSON.readTree(plain.get("info").asString()).get("infotexts").get(0).asString())
                .doesNotContain("Refiner");
        assertThat(differingPixels(png(plain), image)).as("the refiner's last two steps changed the image").isPositive();
    }

    private JsonNode txt2img(String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/sdapi/v1/txt2img"))
                .header("Content-Type", "application/json").header("X-Sdfleet-User", "faye")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode answer = JSON.readTree(r.body());
        assertThat(answer.get("images")).hasSize(1);
        return answer;
    }

    private String get(String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri(path)).header("X-Sdfleet-User", "faye").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body();
    }

    private static BufferedImage png(JsonNode answer) throws Exception {
        return ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(answer.get("images").get(0).asString())));
    }

    private static int differingPixels(BufferedImage a, BufferedImage b) {
        int n = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                n += a.getRGB(x, y) == b.getRGB(x, y) ? 0 : 1;
            }
        }
        return n;
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + fleet.fleet.gatewayPort() + path);
    }
}
