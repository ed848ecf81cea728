package io.sdfleet.gateway.a1111;

import io.sdfleet.diffusion.prompt.PromptStyles;
import io.sdfleet.gateway.GatewayProperties;
import io.sdfleet.request.FaceRestoration;
import io.sdfleet.request.GenerationParameters;
import io.sdfleet.request.HiresFix;
import io.sdfleet.request.Img2Img;
import io.sdfleet.request.InpaintingFill;
import io.sdfleet.request.Noise;
import io.sdfleet.request.RngSource;
import io.sdfleet.request.SamplerExtras;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class A1111RequestTest {

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
        A1111Request request = parse(JSON.readTree(EVERY_FIELD_AT_DEFAULTS), models(dir));
        assertThat(request.parameters().sampling().sampler()).isEqualTo("Euler a");
        assertThat(request.parameters().sampling().steps()).isEqualTo(20);
        assertThat(request.parameters().noise().seed()).isBetween(0L, 0xFFFFFFFFL);
        assertThat(request.echo().get("enable_hr").asBoolean()).isFalse();
    }

    @Test
    void absentFieldsTakeA1111ApiDefaults(@TempDir Path dir) throws Exception {
        A1111Request request = parse(JSON.readTree("{\"prompt\": \"x\"}"), models(dir));
        assertThat(request.parameters().sampling().sampler()).isEqualTo("Euler");
        assertThat(request.parameters().sampling().steps()).isEqualTo(50);
        assertThat(request.parameters().sampling().cfgScale()).isEqualTo(7.0);
        assertThat(request.parameters().size().width()).isEqualTo(512);
        assertThat(request.parameters().models().checkpoint()).isEqualTo("v1-5.safetensors");
        assertThat(request.echo().get("steps").asInt()).isEqualTo(50);
    }

    /** Was: with no default configured every request failed in the worker, checkpoints in the folder or not. */
    @Test
    void withNoDefaultConfiguredTheFirstCheckpointFoundIsTheDefault(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("zeta.safetensors"), "z");
        Files.writeString(dir.resolve("beta.ckpt"), "b");
        ModelCatalog none = new ModelCatalog(new GatewayProperties("http://storage", dir, "", 60));
        assertThat(parse(JSON.readTree("{}"), none).parameters().models().checkpoint()).isEqualTo("beta.ckpt");
        ModelCatalog empty = new ModelCatalog(new GatewayProperties("http://storage", dir.resolve("none"), null, 60));
        assertThat(empty.defaultModel()).isNull();
    }

    /** A fresh deployment with no checkpoint anywhere: refused with what to do, not queued to fail on a worker. */
    @Test
    void withNoCheckpointAnywhereTheRequestIsRefusedSayingWhereToPutOne(@TempDir Path dir) throws Exception {
        ModelCatalog empty = new ModelCatalog(new GatewayProperties("http://storage", dir, null, 60));
        assertThatThrownBy(() -> parse(JSON.readTree("{\"prompt\": \"a fox\"}"), empty))
                .isInstanceOf(NoCheckpointException.class).hasMessageContaining("models folder");
    }

    @Test
    void overrideSettingsApplyToThisRequestOnly(@TempDir Path dir) throws Exception {
        ModelCatalog catalog = models(dir);
        Files.writeString(dir.resolve("other.safetensors"), "y");
        JsonNode body = JSON.readTree("{\"override_settings\": {\"sd_model_checkpoint\": \"other [abc123]\", "
                + "\"CLIP_stop_at_last_layers\": 2}}");
        A1111Request request = parse(body, catalog);
        assertThat(request.parameters().models().checkpoint()).isEqualTo("other.safetensors");
        assertThat(request.parameters().prompt().clipSkip()).isEqualTo(2);
        assertThat(parse(JSON.readTree("{}"), catalog).parameters().models().checkpoint()).isEqualTo("v1-5.safetensors");
    }

    @Test
    void everyBadFieldIsNamed(@TempDir Path dir) throws Exception {
        JsonNode body = JSON.readTree("{\"width\": 32, \"height\": \"big\", \"steps\": 0, \"cfg_scale\": -1, "
                + "\"sampler_name\": \"Nope\", \"seed\": 1.5, \"enable_hr\": \"maybe\", \"bogus\": 1}");
        assertThatThrownBy(() -> parse(body, models(dir)))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.unsupported()).isFalse();
                    assertThat(e.problems()).extracting(FieldProblem::field).containsExactlyInAnyOrder(
                            "width", "height", "steps", "cfg_scale", "sampler_name", "seed", "enable_hr");
                });
    }

    /** What popular clients send, answered 400 before: SillyTavern, a Discord bot, a Photoshop plugin. */
    @Test
    void unknownFieldsAreIgnoredAndValuesCoercedAsA1111Does(@TempDir Path dir) throws Exception {
        A1111Request request = parse(JSON.readTree("""
                {"prompt": "a cat", "url": "http://127.0.0.1:7860", "auth": "", "clip_skip": 2,
                 "cfg_scale": "7.5", "steps": "20", "seed": 12.0, "n_iter": "2", "styles": ["None"],
                 "restore_faces": "false", "tiling": "off", "enable_hr": 0, "width": 100, "height": "96",
                 "mode": "txt2img", "uniqueDocumentId": "abc", "init_images": [], "mask_blur": 4,
                 "override_settings": {"sd_model_checkpoint": "v1-5", "CLIP_stop_at_last_layers": "2",
                                       "samples_format": "jpeg", "eta_noise_seed_delta": "31337"}}"""), models(dir));
        GenerationParameters p = request.parameters();
        assertThat(p.sampling().cfgScale()).isEqualTo(7.5);
        assertThat(p.sampling().steps()).isEqualTo(20);
        assertThat(p.noise().seed()).isEqualTo(12);
        assertThat(p.batch().count()).isEqualTo(2);
        assertThat(p.prompt().clipSkip()).as("override_settings, coerced from a string").isEqualTo(2);
        assertThat(p.noise().etaNoiseSeedDelta()).isEqualTo(31337);
        assertThat(p.size().width()).as("A1111 makes the latent width // 8 wide").isEqualTo(96);
        assertThat(p.size().height()).isEqualTo(96);
        assertThat(p.tiling()).isFalse();
        assertThat(p.hires()).isNull();
        assertThat(request.ignoredFields()).containsExactly("url", "auth", "clip_skip", "mode", "uniqueDocumentId",
                "init_images", "mask_blur", "override_settings.samples_format");
        assertThat(request.echo().get("cfg_scale").asDouble()).as("echoed as A1111's model holds it").isEqualTo(7.5);
        assertThat(request.echo().get("steps").isIntegralNumber()).isTrue();
        assertThat(request.echo().has("url")).isFalse();
    }

    /**
     * SillyTavern's default settings send sampler "DDIM" with scheduler "normal" (answered 400 before): A1111's
     * timestep samplers ignore the schedule type, and names A1111 does not know fall back to Automatic; a schedule
     * type A1111 has but the engine lacks, for a σ sampler, is refused by name.
     */
    @Test
    void schedulersReadAsA1111ReadsThem(@TempDir Path dir) throws Exception {
        ModelCatalog models = models(dir);
        A1111Request ddim = parse(JSON.readTree("{\"sampler_name\": \"DDIM\", \"scheduler\": \"normal\"}"), models);
        assertThat(ddim.parameters().sampling().sampler()).isEqualTo("DDIM");
        assertThat(ddim.parameters().sampling().scheduler()).isEqualTo("Automatic");
        assertThat(ddim.ignoredFields()).containsExactly("scheduler");
        A1111Request unknown = parse(JSON.readTree("{\"sampler_name\": \"Euler\", \"scheduler\": \"no such\"}"), models);
        assertThat(unknown.parameters().sampling().scheduler()).isEqualTo("Automatic");
        assertThat(unknown.ignoredFields()).containsExactly("scheduler");
        assertThat(parse(JSON.readTree("{\"sampler_name\": \"Euler\", \"scheduler\": \"karras\"}"), models)
                .ignoredFields()).isEmpty();
        assertThatThrownBy(() -> parse(JSON.readTree("{\"sampler_name\": \"Euler\", \"scheduler\": \"Normal\"}"), models))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.unsupported()).isTrue();
                    assertThat(e.problems()).extracting(FieldProblem::field).containsExactly("scheduler");
                });
        assertThatThrownBy(() -> A1111Request.parse(JSON.readTree("{\"sampler_name\": \"DDIM\", \"scheduler\": \"normal\"}"),
                models, PromptStyles.none(), RequestLimits.DEFAULTS, A1111Request.Kind.TXT2IMG,
                A1111Request.Dialect.NATIVE, Map.of()))
                .as("the native API stays strict").isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void theNativeApiStaysStrict(@TempDir Path dir) throws Exception {
        JsonNode body = JSON.readTree("{\"bogus\": 1, \"width\": 100, \"styles\": [\"None\"]}");
        assertThatThrownBy(() -> A1111Request.parse(body, models(dir), PromptStyles.none(), RequestLimits.DEFAULTS,
                A1111Request.Kind.TXT2IMG, A1111Request.Dialect.NATIVE, Map.of()))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.problems())
                        .extracting(FieldProblem::field).containsExactlyInAnyOrder("bogus", "width", "styles"));
        assertThatThrownBy(() -> A1111Request.parse(JSON.readTree("{\"override_settings\": {\"samples_format\": \"jpeg\"}}"),
                models(dir), PromptStyles.none(), RequestLimits.DEFAULTS, A1111Request.Kind.TXT2IMG,
                A1111Request.Dialect.NATIVE, Map.of()))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.unsupported()).isTrue());
    }

    @Test
    void savedOptionsAreDefaultsThatOverrideSettingsBeat(@TempDir Path dir) throws Exception {
        ModelCatalog catalog = models(dir);
        Files.writeString(dir.resolve("other.safetensors"), "y");
        Map<String, JsonNode> saved = Map.of("sd_model_checkpoint", JSON.readTree("\"other.safetensors\""),
                "CLIP_stop_at_last_layers", JSON.readTree("2"), "samples_format", JSON.readTree("\"png\""));
        A1111Request plain = A1111Request.parse(JSON.readTree("{}"), catalog, PromptStyles.none(), RequestLimits.DEFAULTS,
                A1111Request.Kind.TXT2IMG, A1111Request.Dialect.A1111, saved);
        assertThat(plain.parameters().models().checkpoint()).isEqualTo("other.safetensors");
        assertThat(plain.parameters().prompt().clipSkip()).isEqualTo(2);
        A1111Request overridden = A1111Request.parse(JSON.readTree("{\"override_settings\": {\"sd_model_checkpoint\": \"v1-5\"}}"),
                catalog, PromptStyles.none(), RequestLimits.DEFAULTS, A1111Request.Kind.TXT2IMG, A1111Request.Dialect.A1111, saved);
        assertThat(overridden.parameters().models().checkpoint()).isEqualTo("v1-5.safetensors");
        assertThat(overridden.parameters().prompt().clipSkip()).isEqualTo(2);
    }

    @Test
    void everyFieldOfTheTableHasAKnownTypeAndItsDefaultParses(@TempDir Path dir) throws Exception {
        for (A1111Request.Kind kind : A1111Request.Kind.values()) {
            ObjectNode body = JSON.createObjectNode();
            for (A1111Field field : A1111Fields.forEndpoint(kind).values()) {
                body.set(field.name(), JSON.valueToTree(field.defaultValue()));
            }
            if (kind == A1111Request.Kind.IMG2IMG) {
                body.set("init_images", JSON.valueToTree(List.of(pngBase64(64, 64))));
            }
            A1111Request request = A1111Request.parse(body, models(dir), kind);
            assertThat(request.ignoredFields()).isEmpty();
            assertThat(request.echo().propertyNames()).containsExactlyElementsOf(A1111Fields.forEndpoint(kind).keySet());
        }
    }

    @Test
    void restoreFacesReadsA1111sSettingsAndNeedsTheFleetsFiles(@TempDir Path dir) throws Exception {
        ModelCatalog models = models(dir);
        assertThatThrownBy(() -> parse(JSON.readTree("{\"restore_faces\": true}"), models))
                .as("no restorer files in this fleet: refused, naming every file it lacks")
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.unsupported()).isTrue();
                    assertThat(e.problems()).singleElement().satisfies(problem -> {
                        assertThat(problem.field()).isEqualTo("restore_faces");
                        assertThat(problem.message()).contains("Codeformer/codeformer-v0.1.0.pth",
                                "GFPGAN/detection_Resnet50_Final.pth", "GFPGAN/parsing_parsenet.pth");
                    });
                });
        Files.createDirectories(dir.resolve("Codeformer"));
        Files.writeString(dir.resolve("Codeformer/codeformer.pth"), "x");
        Files.createDirectories(dir.resolve("GFPGAN"));
        Files.writeString(dir.resolve("GFPGAN/detection_Resnet50_Final.pth"), "x");
        Files.writeString(dir.resolve("GFPGAN/parsing_parsenet.pth"), "x");
        models.refresh();

        assertThat(parse(JSON.readTree("{\"restore_faces\": \"yes\"}"), models).parameters().restoreFaces())
                .isEqualTo(new FaceRestoration("CodeFormer", 0.5));
        assertThat(parse(JSON.readTree("{\"restore_faces\": false}"), models).parameters().restoreFaces()).isNull();
        assertThat(parse(JSON.readTree("{}"), models).parameters().restoreFaces()).isNull();
        assertThat(parse(JSON.readTree("""
                {"restore_faces": null, "override_settings": {"face_restoration": true,
                 "face_restoration_model": "codeformer", "code_former_weight": "0.25"}}"""), models)
                .parameters().restoreFaces())
                .as("null: the face_restoration setting; the model named in any case, the weight coerced")
                .isEqualTo(new FaceRestoration("CodeFormer", 0.25));
        assertThatThrownBy(() -> parse(JSON.readTree("""
                {"restore_faces": true, "override_settings": {"face_restoration_model": "GFPGAN"}}"""), models))
                .as("GFPGAN's folder has no GFPGAN file")
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.problems())
                        .extracting(FieldProblem::message).singleElement().asString().contains("GFPGAN/GFPGANv1.4.pth"));
        assertThatThrownBy(() -> parse(JSON.readTree("""
                {"restore_faces": true, "override_settings": {"face_restoration_model": "RestoreFormer"}}"""), models))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.unsupported()).isFalse();
                    assertThat(e.problems()).extracting(FieldProblem::field)
                            .containsExactly("override_settings.face_restoration_model");
                });
        assertThatThrownBy(() -> parse(JSON.readTree("""
                {"restore_faces": true, "override_settings": {"code_former_weight": 2}}"""), models))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.problems())
                        .extracting(FieldProblem::field).containsExactly("override_settings.code_former_weight"));
    }

    @Test
    void featuresNotBuiltYetAreRefusedByName(@TempDir Path dir) throws Exception {
        JsonNode body = JSON.readTree("{\"enable_hr\": true, \"hr_upscaler\": \"R-ESRGAN 4x+\", "
                + "\"s_min_uncond\": 0.5, \"alwayson_scripts\": {\"ControlNet\": {}}}");
        assertThatThrownBy(() -> parse(body, models(dir)))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.unsupported()).isTrue();
                    assertThat(e.problems()).extracting(FieldProblem::field)
                            .containsExactlyInAnyOrder("hr_upscaler", "s_min_uncond", "alwayson_scripts");
                });
    }

    @Test
    void hiresFixAndTilingBecomeJobParameters(@TempDir Path dir) throws Exception {
        A1111Request request = parse(JSON.readTree("""
                {"width": 256, "height": 192, "tiling": true, "enable_hr": true, "hr_scale": 1.5,
                 "hr_upscaler": "latent (nearest)", "hr_second_pass_steps": 7, "denoising_strength": 0.4,
                 "hr_sampler_name": "DPM++ 2M", "hr_prompt": "sharp"}"""), models(dir));
        GenerationParameters p = request.parameters();
        assertThat(p.tiling()).isTrue();
        assertThat(p.hires()).isEqualTo(new HiresFix(1.5, 0, 0, "Latent (nearest)", 7, 0.4, "DPM++ 2M", null, "sharp", null));
        assertThat(p.workingSize()).containsExactly(384, 288);
        assertThatThrownBy(() -> parse(JSON.readTree("{\"enable_hr\": true, \"hr_scale\": 8, \"width\": 1024}"), models(dir)))
                .isInstanceOfSatisfying(InvalidRequestException.class,
                        e -> assertThat(e.problems()).extracting(FieldProblem::field).contains("hr_scale"));
    }

    @Test
    void hiresUpscalersAreTheFleetsModelFilesByA1111Name(@TempDir Path dir) throws Exception {
        ModelCatalog models = models(dir);
        Files.createDirectories(dir.resolve("ESRGAN/sharp"));
        Files.writeString(dir.resolve("ESRGAN/sharp/4x-UltraSharp.pth"), "x");
        Files.createDirectories(dir.resolve("RealESRGAN"));
        Files.writeString(dir.resolve("RealESRGAN/RealESRGAN_x4plus.pth"), "x");
        for (String[] asked : new String[][] {{"R-ESRGAN 4x+", "R-ESRGAN 4x+"}, {"4x-UltraSharp", "4x-UltraSharp"},
                {"4x-ultrasharp", "4x-UltraSharp"}, {"nearest", "Nearest"}}) {
            A1111Request request = parse(JSON.readTree("{\"enable_hr\": true, \"hr_upscaler\": \"" + asked[0] + "\"}"),
                    models);
            assertThat(request.parameters().hires().upscaler()).as(asked[0]).isEqualTo(asked[1]);
        }
        for (String missing : List.of("R-ESRGAN 4x+ Anime6B", "ESRGAN_4x", "R-ESRGAN General 4xV3", "../x")) {
            assertThatThrownBy(() -> parse(JSON.readTree("{\"enable_hr\": true, \"hr_upscaler\": \"" + missing
                    + "\"}"), models))
                    .as(missing)
                    .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                        assertThat(e.unsupported()).isTrue();
                        assertThat(e.problems()).extracting(FieldProblem::field).containsExactly("hr_upscaler");
                        assertThat(e.problems().getFirst().message())
                                .contains("'" + missing + "' is not available")
                                .contains("[Latent, Latent (nearest), None, Lanczos, Nearest, 4x-UltraSharp, R-ESRGAN 4x+]");
                    });
        }
    }

    @Test
    void img2imgsUpscalerSettingIsAFleetUpscalerAndFallsBackToNoneAsA1111(@TempDir Path dir) throws Exception {
        ModelCatalog models = models(dir);
        Files.createDirectories(dir.resolve("RealESRGAN"));
        Files.writeString(dir.resolve("RealESRGAN/RealESRGAN_x4plus.pth"), "x");
        String init = "\"init_images\": [\"" + pngBase64(32, 24) + "\"]";
        A1111Request plain = A1111Request.parse(JSON.readTree("{" + init + "}"), models, A1111Request.Kind.IMG2IMG);
        assertThat(plain.parameters().img2img().upscaler()).as("A1111's default: None").isNull();
        A1111Request upscaled = A1111Request.parse(JSON.readTree("{" + init
                + ", \"override_settings\": {\"upscaler_for_img2img\": \"R-ESRGAN 4x+\"}}"), models, A1111Request.Kind.IMG2IMG);
        assertThat(upscaled.parameters().img2img().upscaler()).isEqualTo("R-ESRGAN 4x+");
        assertThat(upscaled.parameters().upscalersUsed()).containsExactly("R-ESRGAN 4x+");
        assertThat(upscaled.ignoredFields()).isEmpty();
        // saved with POST /options, as A1111 users set it
        A1111Request saved = A1111Request.parse(JSON.readTree("{" + init + "}"), models, PromptStyles.none(),
                RequestLimits.DEFAULTS, A1111Request.Kind.IMG2IMG, A1111Request.Dialect.A1111,
                Map.of("upscaler_for_img2img", JSON.readTree("\"Nearest\"")));
        assertThat(saved.parameters().img2img().upscaler()).isEqualTo("Nearest");
        // A1111 falls back to None for a name it does not list; the native API refuses it, naming the setting
        String unknown = "{" + init + ", \"override_settings\": {\"upscaler_for_img2img\": \"4x-UltraSharp\"}}";
        A1111Request lenient = A1111Request.parse(JSON.readTree(unknown), models, A1111Request.Kind.IMG2IMG);
        assertThat(lenient.parameters().img2img().upscaler()).isNull();
        assertThat(lenient.ignoredFields()).containsExactly("override_settings.upscaler_for_img2img");
        assertThatThrownBy(() -> A1111Request.parse(JSON.readTree(unknown), models, PromptStyles.none(),
                RequestLimits.DEFAULTS, A1111Request.Kind.IMG2IMG, A1111Request.Dialect.NATIVE, Map.of()))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.unsupported()).isFalse();
                    assertThat(e.problems()).extracting(FieldProblem::field)
                            .containsExactly("override_settings.upscaler_for_img2img");
                    assertThat(e.problems().getFirst().message()).contains("'4x-UltraSharp' is not available")
                            .contains("R-ESRGAN 4x+");
                });
        assertThatThrownBy(() -> A1111Request.parse(JSON.readTree("{" + init
                + ", \"override_settings\": {\"upscaler_for_img2img\": 4}}"), models, A1111Request.Kind.IMG2IMG))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.problems())
                        .extracting(FieldProblem::field).containsExactly("override_settings.upscaler_for_img2img"));
    }

    @Test
    void img2imgTakesInitImagesAndMaskWithA1111Defaults(@TempDir Path dir) throws Exception {
        String png = "data:image/png;base64," + pngBase64(64, 48);
        A1111Request request = A1111Request.parse(JSON.readTree("{\"init_images\": [\"" + png + "\"], \"mask\": \""
                + pngBase64(64, 48) + "\", \"denoising_strength\": 0.5, \"inpainting_fill\": 2}"), models(dir),
                A1111Request.Kind.IMG2IMG);
        Img2Img i = request.parameters().img2img();
        assertThat(i.initImages()).hasSize(1);
        assertThat(i.mask()).isNotNull();
        assertThat(i.denoisingStrength()).isEqualTo(0.5);
        assertThat(i.mask().fill()).isEqualTo(InpaintingFill.ofIndex(2));
        assertThat(i.mask().maskBlur()).isEqualTo(4);
        assertThat(i.mask().fullResolution()).as("A1111's API default").isTrue();
        assertThat(request.echo().get("init_images").isNull()).as("left out of the echo, as A1111 does").isTrue();
    }

    /** Was: a mask of another size than the init image silently changed the output's size (issue 14). */
    @Test
    void aMaskOfAnotherSizeThanTheInitImageIsRefused(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> A1111Request.parse(JSON.readTree("{\"init_images\": [\"" + pngBase64(64, 48)
                + "\"], \"mask\": \"" + pngBase64(32, 48) + "\"}"), models(dir), A1111Request.Kind.IMG2IMG))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.problems())
                        .extracting(FieldProblem::message).containsExactly("mask is 32x48 but the init image is 64x48;"
                                + " they must be the same size"));
    }

    @Test
    void badImagesAreNamedByField(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> A1111Request.parse(JSON.readTree("{\"init_images\": [\"not base64!\", \"aGVsbG8=\"], "
                + "\"mask\": 5, \"enable_hr\": true}"), models(dir), A1111Request.Kind.IMG2IMG))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.problems())
                        .extracting(FieldProblem::field).containsExactlyInAnyOrder("init_images[0]", "init_images[1]", "mask"));
        assertThatThrownBy(() -> A1111Request.parse(JSON.readTree("{}"), models(dir), A1111Request.Kind.IMG2IMG))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.problems())
                        .extracting(FieldProblem::field).containsExactly("init_images"));
    }

    @Test
    void stylesVariationSeedsAndSamplerExtrasBecomeJobParameters(@TempDir Path dir) throws Exception {
        PromptStyles styles = PromptStyles.load(write(dir.resolve("styles.csv"), "name,prompt,negative_prompt\nfilm,\"{prompt}, film grain\",blurry\n"));
        A1111Request request = A1111Request.parse(JSON.readTree("""
                {"prompt": "a fox", "styles": ["film"], "subseed": 9, "subseed_strength": 0.25,
                 "seed_resize_from_w": 256, "seed_resize_from_h": 256, "eta": 0.5, "s_churn": 1, "s_noise": 1.003,
                 "override_settings": {"randn_source": "NV", "eta_noise_seed_delta": 31337}}"""), models(dir), styles,
                A1111Request.Kind.TXT2IMG);
        GenerationParameters p = request.parameters();
        assertThat(p.prompt().positive()).isEqualTo("a fox, film grain");
        assertThat(p.prompt().negative()).isEqualTo("blurry");
        assertThat(p.noise()).isEqualTo(new Noise(p.noise().seed(), 9, 0.25, 256, 256, RngSource.NV, 31337));
        assertThat(p.sampling().extras()).isEqualTo(new SamplerExtras(0.5, 1, 0, Double.POSITIVE_INFINITY, 1.003));
        assertThat(p.noise().seedOf(3)).as("A1111 keeps the seed when a variation seed is used").isEqualTo(p.noise().seed());
        assertThat(p.noise().subseedOf(3)).isEqualTo(12);
        assertThatThrownBy(() -> A1111Request.parse(JSON.readTree("{\"styles\": [\"nope\"], "
                + "\"override_settings\": {\"sd_vae\": \"missing.safetensors\", \"randn_source\": \"GPU\"}}"),
                models(dir), styles, A1111Request.Kind.TXT2IMG))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.problems())
                        .extracting(FieldProblem::field).containsExactly("override_settings.sd_vae")); // unknown styles are skipped
    }

    private static Path write(Path file, String text) throws Exception {
        Files.writeString(file, text);
        return file;
    }

    private static A1111Request parse(JsonNode body, ModelCatalog models) {
        return A1111Request.parse(body, models, A1111Request.Kind.TXT2IMG);
    }

    private static String pngBase64(int w, int h) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB), "png", out);
        return Base64.getEncoder().encodeToString(out.toByteArray());
    }
}
