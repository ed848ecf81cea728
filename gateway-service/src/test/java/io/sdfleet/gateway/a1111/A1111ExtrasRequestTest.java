package io.sdfleet.gateway.a1111;

import io.sdfleet.gateway.GatewayProperties;
import io.sdfleet.request.Extras;
import io.sdfleet.request.GenerationParameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A1111's extras requests read as pydantic reads ExtrasSingleImageRequest / ExtrasBatchImagesRequest. */
class A1111ExtrasRequestTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static ModelCatalog models(Path dir) throws Exception {
        Files.writeString(dir.resolve("v1-5.safetensors"), "x");
        Files.createDirectories(dir.resolve("ESRGAN"));
        Files.writeString(dir.resolve("ESRGAN/4x-UltraSharp.pth"), "x");
        Files.createDirectories(dir.resolve("RealESRGAN"));
        Files.writeString(dir.resolve("RealESRGAN/RealESRGAN_x4plus.pth"), "x");
        Files.createDirectories(dir.resolve("GFPGAN"));
        Files.createDirectories(dir.resolve("Codeformer"));
        for (String file : List.of("GFPGAN/GFPGANv1.4.pth", "GFPGAN/detection_Resnet50_Final.pth",
                "GFPGAN/parsing_parsenet.pth", "Codeformer/codeformer-v0.1.0.pth")) {
            Files.writeString(dir.resolve(file), "x");
        }
        return new ModelCatalog(new GatewayProperties("http://storage", dir, "v1-5.safetensors", 60));
    }

    private static String png(int w, int h) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB), "png", out);
        return Base64.getEncoder().encodeToString(out.toByteArray());
    }

    private static A1111ExtrasRequest single(String json, ModelCatalog models) {
        return A1111ExtrasRequest.parse(JSON.readTree(json), A1111ExtrasRequest.Kind.SINGLE, RequestLimits.DEFAULTS, models);
    }

    @Test
    void aBareImageTakesA1111sDefaults(@TempDir Path dir) throws Exception {
        A1111ExtrasRequest r = single("{\"image\": \"" + png(40, 30) + "\"}", models(dir));
        Extras e = r.parameters().extras();
        assertThat(e.resizeMode()).isZero();
        assertThat(e.upscalingResize()).isEqualTo(2);
        assertThat(e.scaleGiven()).isFalse();
        assertThat(e.resizeWidth()).isEqualTo(512);
        assertThat(e.resizeHeight()).isEqualTo(512);
        assertThat(e.crop()).isTrue();
        assertThat(e.upscaler1()).isEqualTo("None");
        assertThat(e.upscaler2()).isEqualTo("None");
        assertThat(e.upscales()).isFalse();
        assertThat(e.gfpganVisibility()).isZero();
        assertThat(e.codeformerVisibility()).isZero();
        assertThat(e.codeformerWeight()).isZero();
        assertThat(e.images()).hasSize(1);
        GenerationParameters p = r.parameters();
        assertThat(p.batch().count()).isEqualTo(1);
        assertThat(p.problems()).isEmpty();
        assertThat(p.size().width()).isEqualTo(40);
        assertThat(p.size().height()).isEqualTo(24);
        assertThat(p.noise().seed()).isBetween(0L, 0xFFFFFFFFL);
    }

    @Test
    void aRestorerStepWhoseFilesTheFleetLacksIsRefusedNamingThem(@TempDir Path dir) throws Exception {
        ModelCatalog models = models(dir);
        Files.delete(dir.resolve("GFPGAN/parsing_parsenet.pth"));
        Files.delete(dir.resolve("Codeformer/codeformer-v0.1.0.pth"));
        models.refresh();
        assertThatThrownBy(() -> single("{\"image\": \"" + png(16, 16) + "\", \"codeformer_visibility\": 1}", models))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.unsupported()).isTrue();
                    assertThat(e.problems()).singleElement().satisfies(p -> {
                        assertThat(p.field()).isEqualTo("codeformer_visibility");
                        assertThat(p.message()).contains("Codeformer/codeformer-v0.1.0.pth", "GFPGAN/parsing_parsenet.pth");
                    });
                });
        assertThat(single("{\"image\": \"" + png(16, 16) + "\", \"codeformer_visibility\": 0}", models)
                .parameters().extras().codeformerVisibility()).as("a step at 0 needs nothing").isZero();
    }

    @Test
    void valuesAreCoercedAsPydanticAndUnknownFieldsIgnored(@TempDir Path dir) throws Exception {
        A1111ExtrasRequest r = single("{\"image\": \"data:image/png;base64," + png(16, 16) + "\", \"resize_mode\": \"1\","
                + " \"upscaling_resize\": \"3\", \"upscaling_resize_w\": 64.0, \"upscaling_resize_h\": \"48\","
                + " \"upscaling_crop\": \"off\", \"upscaler_1\": \"r-esrgan 4x+\", \"upscaler_2\": \"Lanczos\","
                + " \"extras_upscaler_2_visibility\": \"0.25\", \"gfpgan_visibility\": 1, \"codeformer_visibility\": 0.5,"
                + " \"codeformer_weight\": \"0.7\", \"upscale_first\": true, \"show_extras_results\": 0,"
                + " \"imageList\": [], \"no_such_field\": 3}", models(dir));
        Extras e = r.parameters().extras();
        assertThat(e.resizeMode()).isEqualTo(1);
        assertThat(e.upscalingResize()).isEqualTo(3);
        assertThat(e.scaleGiven()).isTrue();
        assertThat(e.resizeWidth()).isEqualTo(64);
        assertThat(e.resizeHeight()).isEqualTo(48);
        assertThat(e.crop()).isFalse();
        assertThat(e.upscaler1()).as("the listed spelling").isEqualTo("R-ESRGAN 4x+");
        assertThat(e.upscaler2()).isEqualTo("Lanczos");
        assertThat(e.upscaler2Visibility()).isEqualTo(0.25);
        assertThat(e.blendsSecondUpscaler()).isTrue();
        assertThat(e.gfpganVisibility()).isEqualTo(1);
        assertThat(e.codeformerVisibility()).isEqualTo(0.5);
        assertThat(e.codeformerWeight()).isEqualTo(0.7);
        assertThat(r.ignoredFields()).containsExactlyInAnyOrder("upscale_first", "show_extras_results", "imageList",
                "no_such_field");
    }

    @Test
    void aBatchHasOneJobPerImageWithItsName(@TempDir Path dir) throws Exception {
        A1111ExtrasRequest r = A1111ExtrasRequest.parse(JSON.readTree("{\"imageList\": [{\"data\": \"" + png(8, 8)
                        + "\", \"name\": \"a.png\"}, {\"data\": \"" + png(16, 8) + "\", \"name\": \"b.png\"}],"
                        + " \"upscaler_1\": \"4x-UltraSharp\", \"upscaling_resize\": 4}"),
                A1111ExtrasRequest.Kind.BATCH, RequestLimits.DEFAULTS, models(dir));
        assertThat(r.parameters().batch().size()).isEqualTo(1);
        assertThat(r.parameters().batch().count()).isEqualTo(2);
        assertThat(r.parameters().extras().names()).containsExactly("a.png", "b.png");
        assertThat(r.parameters().extras().fromImage(1, 1).names()).containsExactly("b.png");
        assertThat(r.parameters().extras().upscalersUsed()).containsExactly("4x-UltraSharp");
    }

    @Test
    void badValuesAre400NamingTheirFieldAndUnknownUpscalers422(@TempDir Path dir) throws Exception {
        ModelCatalog models = models(dir);
        String image = png(8, 8);
        assertThatThrownBy(() -> single("{\"image\": \"" + image + "\", \"upscaling_resize\": 9, \"gfpgan_visibility\": 2,"
                + " \"resize_mode\": 2, \"codeformer_weight\": \"much\"}", models))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.unsupported()).isFalse();
                    assertThat(e.problems()).extracting(FieldProblem::field).containsExactlyInAnyOrder(
                            "upscaling_resize", "gfpgan_visibility", "resize_mode", "codeformer_weight");
                });
        assertThatThrownBy(() -> single("{}", models)).isInstanceOfSatisfying(InvalidRequestException.class,
                e -> assertThat(e.problems()).extracting(FieldProblem::field).containsExactly("image"));
        assertThatThrownBy(() -> single("{\"image\": \"bm90IGFuIGltYWdl\"}", models))
                .isInstanceOfSatisfying(InvalidRequestException.class,
                        e -> assertThat(e.problems()).extracting(FieldProblem::field).containsExactly("image"));
        assertThatThrownBy(() -> A1111ExtrasRequest.parse(JSON.readTree("{\"imageList\": [{\"name\": \"x\"}]}"),
                A1111ExtrasRequest.Kind.BATCH, RequestLimits.DEFAULTS, models))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.problems())
                        .extracting(FieldProblem::field).containsExactly("imageList[0].data"));
        assertThatThrownBy(() -> single("{\"image\": \"" + image + "\", \"upscaler_1\": \"SwinIR 4x\"}", models))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.unsupported()).isTrue();
                    assertThat(e.problems()).extracting(FieldProblem::field).containsExactly("upscaler_1");
                    assertThat(e.getMessage()).contains("SwinIR 4x", "R-ESRGAN 4x+", "4x-UltraSharp");
                });
        assertThatThrownBy(() -> single("[1]", models)).isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void anUpscaleBeyondThePixelLimitIsRefused(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> single("{\"image\": \"" + png(2048, 1024) + "\", \"upscaler_1\": \"Lanczos\","
                + " \"upscaling_resize\": 4}", models(dir)))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.problems())
                        .extracting(FieldProblem::field).containsExactly("upscaling_resize"));
    }

    @Test
    void htmlInfoIsA1111sPlaintextToHtml() {
        assertThat(A1111ExtrasController.plaintextToHtml("Postprocess upscale by: 2, Postprocess upscaler: R-ESRGAN 4x+"))
                .isEqualTo("<p>Postprocess upscale by: 2, Postprocess upscaler: R-ESRGAN 4x+</p>");
        assertThat(A1111ExtrasController.plaintextToHtml("a <b> & 'c'\nd")).isEqualTo("<p>a &lt;b&gt; &amp; &#x27;c&#x27;<br>\nd</p>");
    }
}
