package io.sdfleet.gateway.a1111;

import io.sdfleet.diffusion.prompt.PromptStyles;
import io.sdfleet.gateway.GatewayProperties;
import io.sdfleet.request.ModelArchitecture;
import io.sdfleet.request.ModelChoice;
import io.sdfleet.request.Refiner;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** SDXL in A1111's generation requests: refiner_checkpoint / refiner_switch_at, and SDXL's native default size. */
class A1111SdxlRequestTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Path REFERENCE = Path.of(System.getProperty("sdfleet.reference", "../../shared/reference"))
            .toAbsolutePath();

    @TempDir
    Path dir;

    @BeforeEach
    void models() throws Exception {
        Path base = REFERENCE.resolve("sdxl/models/mini_sdxl_base.safetensors");
        Path refiner = REFERENCE.resolve("sdxl/models/mini_sdxl_refiner.safetensors");
        Assumptions.assumeTrue(Files.isRegularFile(base) && Files.isRegularFile(refiner),
                "reference SDXL minis not found under " + REFERENCE);
        Files.createSymbolicLink(dir.resolve("mini_sdxl_base.safetensors"), base);
        Files.createSymbolicLink(dir.resolve("mini_sdxl_refiner.safetensors"), refiner);
        Files.writeString(dir.resolve("v1-5.safetensors"), "x"); // unreadable, named as SD 1.x: SD 1.x
    }

    private ModelCatalog catalog(String defaultModel) {
        return new ModelCatalog(new GatewayProperties("http://storage", dir, defaultModel, 60));
    }

    private static A1111Request parse(String body, ModelCatalog models) throws Exception {
        return parse(body, models, A1111Request.Kind.TXT2IMG, A1111Request.Dialect.A1111, Map.of());
    }

    private static A1111Request parse(String body, ModelCatalog models, A1111Request.Kind kind,
                                      A1111Request.Dialect dialect, Map<String, JsonNode> options) throws Exception {
        return A1111Request.parse(JSON.readTree(body), models, PromptStyles.none(), RequestLimits.DEFAULTS, kind,
                dialect, options);
    }

    @Test
    void aRefinerIsResolvedAsCheckpointsAreAndEchoed() throws Exception {
        A1111Request request = parse("""
                {"prompt": "a lighthouse", "refiner_checkpoint": "mini_sdxl_refiner", "refiner_switch_at": "0.8",
                 "override_settings": {"sd_model_checkpoint": "mini_sdxl_base.safetensors"}}""", catalog("v1-5.safetensors"));
        ModelChoice models = request.parameters().models();
        assertThat(models.refiner()).isEqualTo(new Refiner("mini_sdxl_refiner.safetensors", 0.8));
        assertThat(models.architecture()).isEqualTo(ModelArchitecture.SDXL);
        assertThat(models.refinerArchitecture()).isEqualTo(ModelArchitecture.SDXL_REFINER);
        assertThat(request.echo().get("refiner_checkpoint").asString()).isEqualTo("mini_sdxl_refiner");
        assertThat(request.echo().get("refiner_switch_at").isNumber()).isTrue();
        assertThat(request.echo().get("refiner_switch_at").asDouble()).isEqualTo(0.8);

        Refiner byTitle = parse("{\"refiner_checkpoint\": \"mini_sdxl_refiner.safetensors [0123456789]\"}",
                catalog("mini_sdxl_base.safetensors")).parameters().models().refiner();
        assertThat(byTitle).as("A1111's title; switch_at null: at the first call")
                .isEqualTo(new Refiner("mini_sdxl_refiner.safetensors", null));
    }

    @Test
    void sdxlsCropSettingsComeFromOverrideSettingsOrSavedOptions() throws Exception {
        A1111Request overridden = parse("""
                {"prompt": "a lighthouse", "override_settings": {"sd_model_checkpoint": "mini_sdxl_base",
                 "sdxl_crop_top": 16, "sdxl_crop_left": "32"}}""", catalog("v1-5.safetensors"));
        assertThat(overridden.parameters().size().sdxlCropTop()).isEqualTo(16);
        assertThat(overridden.parameters().size().sdxlCropLeft()).isEqualTo(32);
        assertThat(overridden.ignoredFields()).isEmpty();
        A1111Request saved = parse("{\"prompt\": \"a lighthouse\"}", catalog("mini_sdxl_base.safetensors"),
                A1111Request.Kind.TXT2IMG, A1111Request.Dialect.A1111, Map.of("sdxl_crop_top", JSON.readTree("8")));
        assertThat(saved.parameters().size().sdxlCropTop()).isEqualTo(8);
        assertThat(saved.parameters().size().sdxlCropLeft()).isZero();
        assertThatThrownBy(() -> parse("{\"override_settings\": {\"sdxl_crop_top\": -1}}", catalog("v1-5.safetensors")))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.problems())
                        .extracting(FieldProblem::field).containsExactly("override_settings.sdxl_crop_top"));
    }

    @Test
    void noneAndEmptyMeanNoRefiner() throws Exception {
        for (String none : new String[] {"null", "\"\"", "\"None\"", "\"none\""}) {
            A1111Request request = parse("{\"refiner_checkpoint\": " + none + ", \"refiner_switch_at\": 0.8}",
                    catalog("mini_sdxl_base.safetensors"));
            assertThat(request.parameters().models().refiner()).as(none).isNull();
            assertThat(request.parameters().models().refinerArchitecture()).isNull();
        }
    }

    @Test
    void anUnknownRefinerOrABadSwitchIsRefusedByName() {
        assertThatThrownBy(() -> parse("{\"refiner_checkpoint\": \"no_such_refiner\"}", catalog("mini_sdxl_base.safetensors")))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.problems()).extracting(FieldProblem::field).containsExactly("refiner_checkpoint");
                    assertThat(e.problems().getFirst().message()).contains("Could not find checkpoint with name no_such_refiner");
                });
        for (String bad : new String[] {"1.5", "-0.1", "\"soon\"", "true"}) {
            assertThatThrownBy(() -> parse("{\"refiner_checkpoint\": \"mini_sdxl_refiner\", \"refiner_switch_at\": " + bad + "}",
                    catalog("mini_sdxl_base.safetensors")))
                    .as(bad).isInstanceOfSatisfying(InvalidRequestException.class, e ->
                            assertThat(e.problems()).extracting(FieldProblem::field).containsExactly("refiner_switch_at"));
        }
    }

    @Test
    void img2imgAndTheNativeApiTakeTheRefinerToo() throws Exception {
        String body = "{\"prompt\": \"x\", \"refiner_checkpoint\": \"mini_sdxl_refiner\", \"refiner_switch_at\": 0.5,"
                + " \"init_images\": [\"" + png64() + "\"]}";
        A1111Request img2img = parse(body, catalog("mini_sdxl_base.safetensors"), A1111Request.Kind.IMG2IMG,
                A1111Request.Dialect.A1111, Map.of());
        assertThat(img2img.parameters().models().refiner()).isEqualTo(new Refiner("mini_sdxl_refiner.safetensors", 0.5));
        A1111Request nativeTxt2img = parse("{\"prompt\": \"x\", \"refiner_checkpoint\": \"mini_sdxl_refiner\", \"refiner_switch_at\": 0.5}",
                catalog("mini_sdxl_base.safetensors"), A1111Request.Kind.TXT2IMG, A1111Request.Dialect.NATIVE, Map.of());
        assertThat(nativeTxt2img.parameters().models().refiner()).isEqualTo(new Refiner("mini_sdxl_refiner.safetensors", 0.5));
    }

    private static String png64() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB), "png", out);
        return Base64.getEncoder().encodeToString(out.toByteArray());
    }

    @Test
    void anSdxlModelDefaultsTo1024WhenNeitherSideIsSet() throws Exception {
        A1111Request byDefault = parse("{\"prompt\": \"x\"}", catalog("mini_sdxl_base.safetensors"));
        assertThat(byDefault.parameters().size().width()).isEqualTo(1024);
        assertThat(byDefault.parameters().size().height()).isEqualTo(1024);
        assertThat(byDefault.echo().get("width").asInt()).isEqualTo(1024);
        assertThat(byDefault.parameters().models().architecture()).isEqualTo(ModelArchitecture.SDXL);

        A1111Request nulls = parse("{\"width\": null, \"height\": null}", catalog("mini_sdxl_base.safetensors"));
        assertThat(nulls.parameters().size().width()).isEqualTo(1024);

        A1111Request overridden = parse("{\"override_settings\": {\"sd_model_checkpoint\": \"mini_sdxl_base\"}}",
                catalog("v1-5.safetensors"));
        assertThat(overridden.parameters().size().height()).isEqualTo(1024);

        A1111Request saved = parse("{}", catalog("v1-5.safetensors"), A1111Request.Kind.TXT2IMG,
                A1111Request.Dialect.A1111, Map.of("sd_model_checkpoint", JSON.getNodeFactory().stringNode("mini_sdxl_base")));
        assertThat(saved.parameters().size().width()).as("the caller's saved option").isEqualTo(1024);
    }

    @Test
    void aClientThatSetsASideKeepsItAndSd1KeepsA1111s512() throws Exception {
        A1111Request oneSide = parse("{\"width\": 768}", catalog("mini_sdxl_base.safetensors"));
        assertThat(oneSide.parameters().size().width()).isEqualTo(768);
        assertThat(oneSide.parameters().size().height()).as("A1111's default for the other side").isEqualTo(512);
        assertThat(oneSide.echo().get("height").asInt()).isEqualTo(512);

        A1111Request sd1 = parse("{}", catalog("v1-5.safetensors"));
        assertThat(sd1.parameters().size().width()).isEqualTo(512);
        assertThat(sd1.parameters().models().architecture()).isEqualTo(ModelArchitecture.SD1);

        A1111Request hires = parse("{\"enable_hr\": true, \"hr_scale\": 1.5}", catalog("mini_sdxl_base.safetensors"));
        assertThat(hires.parameters().workingSize()).as("the hires pass scales the SDXL size").containsExactly(1536, 1536);
    }
}
