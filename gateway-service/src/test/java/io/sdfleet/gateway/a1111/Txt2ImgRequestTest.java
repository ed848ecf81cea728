package io.sdfleet.gateway.a1111;

import io.sdfleet.gateway.GatewayProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class Txt2ImgRequestTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** Every field of A1111's StableDiffusionTxt2ImgProcessingAPI, at the values A1111 clients send by default. */
    private static final String EVERY_FIELD_AT_DEFAULTS = """
            {"prompt": "a cat", "negative_prompt": "", "styles": [], "seed": -1, "subseed": -1, "subseed_strength": 0,
             "seed_resize_from_h": -1, "seed_resize_from_w": -1, "sampler_name": "Euler a", "sampler_index": "Euler",
             "scheduler": "Automatic", "batch_size": 1, "n_iter": 1, "steps": 20, "cfg_scale": 7, "width": 512,
             "height": 512, "restore_faces": false, "tiling": false, "do_not_save_samples": false,
             "do_not_save_grid": false, "eta": 0, "denoising_strength": 0.75, "s_min_uncond": 0, "s_churn": 0,
             "s_tmax": null, "s_tmin": 0, "s_noise": 1, "override_settings": {},
             "override_settings_restore_afterwards": true, "refiner_checkpoint": null, "refiner_switch_at": null,
             "disable_extra_networks": false, "firstpass_image": null, "comments": {}, "enable_hr": false,
             "firstphase_width": 0, "firstphase_height": 0, "hr_scale": 2, "hr_upscaler": "Latent",
             "hr_second_pass_steps": 0, "hr_resize_x": 0, "hr_resize_y": 0, "hr_checkpoint_name": null,
             "hr_sampler_name": null, "hr_scheduler": null, "hr_prompt": "", "hr_negative_prompt": "",
             "force_task_id": null, "script_name": null, "script_args": [], "send_images": true,
             "save_images": false, "alwayson_scripts": {}, "infotext": null}""";

    private static ModelCatalog models(Path dir) throws Exception {
        Files.writeString(dir.resolve("v1-5.safetensors"), "x");
        return new ModelCatalog(new GatewayProperties("http://storage", dir, "v1-5.safetensors", 60));
    }

    @Test
    void acceptsEveryA1111FieldAtItsDefault(@TempDir Path dir) throws Exception {
        Txt2ImgRequest request = Txt2ImgRequest.parse(JSON.readTree(EVERY_FIELD_AT_DEFAULTS), models(dir));
        assertThat(request.parameters().samplerName()).isEqualTo("Euler a");
        assertThat(request.parameters().steps()).isEqualTo(20);
        assertThat(request.parameters().seed()).isBetween(0L, 0xFFFFFFFFL);
        assertThat(request.echo().get("enable_hr").asBoolean()).isFalse();
    }

    @Test
    void absentFieldsTakeA1111ApiDefaults(@TempDir Path dir) throws Exception {
        Txt2ImgRequest request = Txt2ImgRequest.parse(JSON.readTree("{\"prompt\": \"x\"}"), models(dir));
        assertThat(request.parameters().samplerName()).isEqualTo("Euler");
        assertThat(request.parameters().steps()).isEqualTo(50);
        assertThat(request.parameters().cfgScale()).isEqualTo(7.0);
        assertThat(request.parameters().width()).isEqualTo(512);
        assertThat(request.parameters().model()).isEqualTo("v1-5.safetensors");
        assertThat(request.echo().get("steps").asInt()).isEqualTo(50);
    }

    @Test
    void overrideSettingsApplyToThisRequestOnly(@TempDir Path dir) throws Exception {
        ModelCatalog catalog = models(dir);
        Files.writeString(dir.resolve("other.safetensors"), "y");
        JsonNode body = JSON.readTree("{\"override_settings\": {\"sd_model_checkpoint\": \"other [abc123]\", "
                + "\"CLIP_stop_at_last_layers\": 2}}");
        Txt2ImgRequest request = Txt2ImgRequest.parse(body, catalog);
        assertThat(request.parameters().model()).isEqualTo("other.safetensors");
        assertThat(request.parameters().clipSkip()).isEqualTo(2);
        assertThat(Txt2ImgRequest.parse(JSON.readTree("{}"), catalog).parameters().model()).isEqualTo("v1-5.safetensors");
    }

    @Test
    void everyBadFieldIsNamed(@TempDir Path dir) throws Exception {
        JsonNode body = JSON.readTree("{\"width\": 513, \"height\": \"big\", \"steps\": 0, \"cfg_scale\": -1, "
                + "\"sampler_name\": \"Nope\", \"bogus\": 1}");
        assertThatThrownBy(() -> Txt2ImgRequest.parse(body, models(dir)))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.unsupported()).isFalse();
                    assertThat(e.problems()).extracting(FieldProblem::field)
                            .contains("width", "height", "steps", "cfg_scale", "sampler_name", "bogus");
                });
    }

    @Test
    void featuresNotBuiltYetAreRefusedByName(@TempDir Path dir) throws Exception {
        JsonNode body = JSON.readTree("{\"enable_hr\": true, \"tiling\": true, \"styles\": [\"x\"], "
                + "\"subseed_strength\": 0.5, \"alwayson_scripts\": {\"ControlNet\": {}}}");
        assertThatThrownBy(() -> Txt2ImgRequest.parse(body, models(dir)))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.unsupported()).isTrue();
                    assertThat(e.problems()).extracting(FieldProblem::field)
                            .containsExactlyInAnyOrder("enable_hr", "tiling", "styles", "subseed_strength", "alwayson_scripts");
                });
    }
}
