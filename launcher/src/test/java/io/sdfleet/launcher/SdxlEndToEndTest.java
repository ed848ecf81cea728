package io.sdfleet.launcher;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SDXL through the whole fleet (real RabbitMQ, PostgreSQL, S3 API): the reference's mini SDXL base and refiner in the
 * models folder beside SD 1.5, listed by /sd-models with their type, and an A1111 txt2img on the base that hands over
 * to the refiner at 0.8, answered in A1111's shape with the infotext A1111 writes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SdxlEndToEndTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private TestFleet fleet;
    private A1111Calls calls;

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
        calls = new A1111Calls(fleet, "faye");
    }

    @AfterAll
    void stop() throws Exception {
        if (fleet != null) {
            fleet.close();
        }
    }

    @Test
    void txt2imgOnTheSdxlBaseHandsOverToTheRefiner() throws Exception {
        JsonNode listed = JSON.readTree(calls.get("/sdapi/v1/sd-models"));
        java.util.Map<String, String> types = new java.util.HashMap<>();
        listed.forEach(m -> types.put(m.get("model_name").asString(), m.get("type").asString()));
        assertThat(types).containsEntry("mini_sdxl_base", "sdxl").containsEntry("mini_sdxl_refiner", "sdxl-refiner")
                .containsEntry("mini_sd15_fp32", "sd1");
        JsonNode answer = txt2img("""
                {"prompt": "a photograph of an astronaut riding a horse", "seed": 4242, "steps": 8, "width": 64,
                 "height": 64, "sampler_name": "Euler", "refiner_checkpoint": "mini_sdxl_refiner",
                 "refiner_switch_at": 0.8, "override_settings": {"sd_model_checkpoint": "mini_sdxl_base"}}""");
        JsonNode info = A1111Calls.info(answer);
        String infotext = info.get("infotexts").get(0).asString();
        assertThat(infotext).contains("Model: mini_sdxl_base").contains("Refiner: mini_sdxl_refiner [")
                .contains("Refiner switch at: 0.8").contains("Size: 64x64");
        assertThat(answer.get("parameters").get("refiner_checkpoint").asString()).isEqualTo("mini_sdxl_refiner");
        BufferedImage image = A1111Calls.png(answer);
        assertThat(image.getWidth()).isEqualTo(64);

        JsonNode plain = txt2img("""
                {"prompt": "a photograph of an astronaut riding a horse", "seed": 4242, "steps": 8, "width": 64,
                 "height": 64, "sampler_name": "Euler", "override_settings": {"sd_model_checkpoint": "mini_sdxl_base"}}""");
        assertThat(A1111Calls.info(plain).get("infotexts").get(0).asString())
                .doesNotContain("Refiner");
        assertThat(A1111Calls.differingPixels(A1111Calls.png(plain), image)).as("the refiner's last two steps changed the image").isPositive();
    }

    private JsonNode txt2img(String body) throws Exception {
        return calls.generate("txt2img", body);
    }
}
