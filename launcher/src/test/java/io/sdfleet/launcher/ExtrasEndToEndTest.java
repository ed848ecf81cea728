package io.sdfleet.launcher;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.sdfleet.diffusion.image.PixelPlanes;
import io.sdfleet.diffusion.image.PngFiles;
import io.sdfleet.diffusion.upscale.UpscalerLibrary;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import javax.imageio.ImageIO;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A1111's Extras through the whole fleet (gateway → broker → scheduler → a worker → storage, on real RabbitMQ,
 * PostgreSQL and S3Proxy): {@code extra-single-image} with an ESRGAN file from {@code models/ESRGAN} is answered in
 * A1111's {@code {html_info, image}} with the image the engine's upscaler makes, stored and owned by its caller;
 * {@code extra-batch-images} answers one image per input; a face restorer asked for fails naming the model.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExtrasEndToEndTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String UPSCALER = "4x-small-oldarch";
    private final HttpClient http = HttpClient.newHttpClient();
    private TestFleet test;
    private Path esrgan;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        Path models = Files.createDirectories(dir.resolve("models"));
        Path reference = TestFleet.reference();
        Files.createSymbolicLink(models.resolve("mini_sd15_fp32.safetensors"),
                reference.resolve("mini_sd15_fp32.safetensors"));
        esrgan = Files.createDirectories(models.resolve("ESRGAN")).resolve(UPSCALER + ".pth");
        Files.copy(reference.resolve("restore/models/4x-small-oldarch.pth"), esrgan);
        test = TestFleet.start(dir, "extras", 1, o -> new Fleet.Options(models, "mini_sd15_fp32.safetensors",
                o.tokenizer(), 0, 1));
    }

    @AfterAll
    void stop() throws Exception {
        if (test != null) {
            test.close();
        }
    }

    @Test
    void extraSingleImageIsUpscaledOnAWorkerAndAnsweredInA1111sShape() throws Exception {
        PixelPlanes input = pattern(24, 20);
        assertThat(names(getJson("/sdapi/v1/upscalers", "alice"), "name")).contains(UPSCALER);

        HttpResponse<String> response = post("/sdapi/v1/extra-single-image", "{\"image\": \"" + png(input)
                + "\", \"upscaler_1\": \"" + UPSCALER + "\", \"upscaling_resize\": 2, \"resize_mode\": 0,"
                + " \"show_extras_results\": true, \"gfpgan_visibility\": 0, \"codeformer_visibility\": 0,"
                + " \"codeformer_weight\": 0, \"upscaler_2\": \"None\", \"extras_upscaler_2_visibility\": 0,"
                + " \"upscale_first\": false}", "alice");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        assertThat(names(body)).containsExactly("html_info", "image");
        assertThat(body.get("html_info").asString())
                .isEqualTo("<p>Postprocess upscale by: 2.0, Postprocess upscaler: " + UPSCALER + "</p>");
        byte[] png = Base64.getDecoder().decode(body.get("image").asString());
        assertThat(PngFiles.readText(png)).containsEntry("postprocessing",
                "Postprocess upscale by: 2.0, Postprocess upscaler: " + UPSCALER);
        PixelPlanes out = PixelPlanes.rgb(ImageIO.read(new ByteArrayInputStream(png)));
        PixelPlanes expected;
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            expected = UpscalerLibrary.none().withFile(UPSCALER, esrgan).open(UPSCALER, m).upscale(input, 2);
        }
        assertThat(out.width()).isEqualTo(48);
        assertThat(out.height()).isEqualTo(40);
        assertThat(out.channels()).isDeepEqualTo(expected.channels());

        // the work is alice's, stored like a generation's, and not bob's to see
        JsonNode mine = getJson("/api/v1/generations", "alice");
        JsonNode extras = null;
        for (JsonNode g : mine) {
            if (g.get("mode").asString().equals("extras")) {
                extras = g;
            }
        }
        assertThat(extras).as("alice's extras in her list: %s", mine).isNotNull();
        String id = extras.get("id").asString();
        assertThat(extras.get("state").asString()).isEqualTo("finished");
        assertThat(test.storedRows(id)).isEqualTo(1);
        HttpResponse<byte[]> stored = http.send(HttpRequest.newBuilder(uri("/api/v1/generations/" + id + "/images/0"))
                .header("X-Sdfleet-User", "alice").build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(stored.statusCode()).isEqualTo(200);
        assertThat(stored.body()).isEqualTo(png);
        assertThat(get("/api/v1/generations/" + id, "bob").statusCode()).isEqualTo(404);
    }

    @Test
    void extraBatchImagesAnswersEveryImage() throws Exception {
        HttpResponse<String> response = post("/sdapi/v1/extra-batch-images", "{\"imageList\": [{\"data\": \""
                + png(pattern(16, 16)) + "\", \"name\": \"a.png\"}, {\"data\": \"" + png(pattern(24, 8))
                + "\", \"name\": \"b.png\"}], \"upscaler_1\": \"Lanczos\"}", "carol");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        assertThat(names(body)).containsExactly("html_info", "images");
        assertThat(body.get("html_info").asString()).isEqualTo("<p>Postprocess upscale by: 2, Postprocess upscaler: Lanczos</p>");
        assertThat(body.get("images")).hasSize(2);
        List<int[]> sizes = new ArrayList<>();
        for (JsonNode image : body.get("images")) {
            var decoded = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(image.asString())));
            sizes.add(new int[] {decoded.getWidth(), decoded.getHeight()});
        }
        assertThat(sizes).containsExactly(new int[] {32, 32}, new int[] {48, 16});
    }

    @Test
    void aFaceRestorerTheFleetHasNoFilesForIsRefusedNamingThem() throws Exception {
        HttpResponse<String> response = post("/sdapi/v1/extra-single-image", "{\"image\": \"" + png(pattern(16, 16))
                + "\", \"codeformer_visibility\": 1, \"codeformer_weight\": 0.5}", "dave");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
        assertThat(response.body()).contains("codeformer_visibility", "face restoration with CodeFormer needs",
                "Codeformer/codeformer-v0.1.0.pth");
    }

    private static PixelPlanes pattern(int w, int h) {
        int[][][] c = new int[3][h][w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                c[0][y][x] = (x * 37 + y * 11) % 256;
                c[1][y][x] = (x * y * 7) % 256;
                c[2][y][x] = (255 - x * 9) & 0xff;
            }
        }
        return new PixelPlanes(c);
    }

    private static String png(PixelPlanes image) {
        return Base64.getEncoder().encodeToString(PngFiles.encode(image.toImage(), Map.of()));
    }

    private static List<String> names(JsonNode node) {
        List<String> out = new ArrayList<>();
        node.propertyNames().forEach(out::add);
        return out;
    }

    private static List<String> names(JsonNode list, String key) {
        List<String> out = new ArrayList<>();
        list.forEach(e -> out.add(e.get(key).asString()));
        return out;
    }

    private JsonNode getJson(String path, String user) throws Exception {
        HttpResponse<String> r = get(path, user);
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private HttpResponse<String> post(String path, String body, String user) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .header("X-Sdfleet-User", user).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path, String user) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).header("X-Sdfleet-User", user).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + test.fleet.gatewayPort() + path);
    }
}
