package io.sdfleet.launcher;

import io.sdfleet.diffusion.image.PngFiles;
import io.sdfleet.gateway.auth.Secrets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 11's acceptance test, "clients work unchanged": public A1111 clients replayed call for call against the
 * whole fleet (auth on, one worker on the mini model's topology, two checkpoints whose images differ). Each
 * scenario makes the client's start-up listing calls, switches alice's checkpoint the way the client does it
 * ({@code POST /sdapi/v1/options} with a title read from {@code /sd-models}), reads it back, generates the way the
 * client does and reads what the client reads; then the image is checked to come from the chosen model (its PNG
 * infotext names it, and its pixels differ from the same seed on the other model), and bob, a second user, is
 * unaffected: his options still show the default checkpoint, his txt2img uses it, and he cannot list alice's work.
 *
 * <p>The request bodies, headers and read-backs follow the clients' sources (cited per scenario); none of their code
 * is copied. Value types are those the clients send: JSON numbers (SillyTavern's settings are numbers, Python's
 * clients send ints and floats), {@code null}s for Python's {@code None}, and the clients' extra keys.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class A1111ClientsEndToEndTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String DEFAULT_MODEL = "alpha.safetensors";
    private static final String OTHER_MODEL = "beta.safetensors";
    private static final String ALICE_PASSWORD = "alice's long password";

    private final HttpClient http = HttpClient.newHttpClient();
    private final String adminKey = Secrets.newApiKey();
    private TestFleet test;
    private String aliceBasic;
    private String bobBearer;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        Path models = Files.createDirectories(dir.resolve("models"));
        Path mini = TestFleet.reference().resolve("mini_sd15_fp32.safetensors");
        Files.copy(mini, models.resolve(DEFAULT_MODEL));
        Files.copy(mini, models.resolve(OTHER_MODEL));
        perturb(models.resolve(OTHER_MODEL), "model.diffusion_model.out.2.weight");
        test = TestFleet.start(dir, "clients", 1, o -> new Fleet.Options(models, DEFAULT_MODEL, o.tokenizer(), 0, 1)
                .withAdminKey(adminKey).withWorkerProperty("sdfleet.worker.preview-every", 0));

        assertThat(call("POST", "/api/v1/admin/users", "{\"name\": \"alice\", \"password\": \"" + ALICE_PASSWORD + "\"}",
                "Authorization", "Bearer " + adminKey).statusCode()).isEqualTo(201);
        assertThat(call("POST", "/api/v1/admin/users", "{\"name\": \"bob\"}", "Authorization", "Bearer " + adminKey)
                .statusCode()).isEqualTo(201);
        HttpResponse<String> key = call("POST", "/api/v1/admin/users/bob/keys", "{\"label\": \"bob's client\"}",
                "Authorization", "Bearer " + adminKey);
        assertThat(key.statusCode()).as(key.body()).isEqualTo(201);
        bobBearer = "Bearer " + JSON.readTree(key.body()).get("key").asString();
        aliceBasic = "Basic " + Base64.getEncoder().encodeToString(("alice:" + ALICE_PASSWORD).getBytes(StandardCharsets.UTF_8));
    }

    @AfterAll
    void stop() throws Exception {
        if (test != null) {
            test.close();
        }
    }

    /** Every scenario starts with alice on the fleet's default checkpoint (test fixture, not a client call). */
    @BeforeEach
    void aliceOnTheDefaultModel() throws Exception {
        if (test != null) {
            assertThat(call("POST", "/sdapi/v1/options", "{\"sd_model_checkpoint\": \"" + DEFAULT_MODEL + "\"}",
                    "Authorization", aliceBasic).statusCode()).isEqualTo(200);
        }
    }

    /**
     * SillyTavern's A1111 source ("auto"): its server proxy SillyTavern/SillyTavern src/endpoints/stable-diffusion.js
     * (routes /ping, /samplers, /schedulers, /models, /get-model, /set-model, /upscalers, /vaes, /generate) adds
     * {@code Authorization: Basic base64(auth)} from the "user:password" setting to every call; the body of
     * /generate is the one public/scripts/extensions/stable-diffusion/index.js generateAutoImage() builds, forwarded
     * as is, the client's {@code url} and {@code auth} keys included. With its default settings it asks for sampler
     * "DDIM" and scheduler "normal", omits the seed while it is -1, and reads {@code images[0]}.
     */
    @Test
    @Order(1)
    void sillyTavern() throws Exception {
        String[] auth = {"Authorization", aliceBasic};
        // validateAutoUrl → /ping: GET /options must answer 2xx
        assertThat(call("GET", "/sdapi/v1/options", null, auth).statusCode()).isEqualTo(200);
        // loadSamplers / loadSchedulers: names of each entry
        List<String> samplers = names(getJson("/sdapi/v1/samplers", auth), "name");
        assertThat(samplers).contains("DDIM", "Euler a");
        assertThat(names(getJson("/sdapi/v1/schedulers", auth), "name")).contains("automatic", "karras");
        // loadAutoModels: /get-model reads options.sd_model_checkpoint, /models maps sd-models to {value: title}
        String current = getJson("/sdapi/v1/options", auth).get("sd_model_checkpoint").asString();
        List<String> titles = names(getJson("/sdapi/v1/sd-models", auth), "title");
        assertThat(titles).hasSize(2).contains(current);
        // /upscalers: upscalers' names with the latent modes spliced in after the first; /vaes: sd-vae, else sd-modules
        assertThat(names(getJson("/sdapi/v1/upscalers", auth), "name")).first().isEqualTo("None");
        assertThat(names(getJson("/sdapi/v1/latent-upscale-modes", auth), "name")).contains("Latent");
        assertThat(names(getJson("/sdapi/v1/sd-vae", auth), "model_name")).isEmpty();
        assertThat(names(getJson("/sdapi/v1/sd-modules", auth), "model_name")).isEmpty();

        // the user picks the other model: /set-model posts {sd_model_checkpoint: title}, then polls /progress until
        // progress is 0.0 and state.job_count is 0
        String chosen = titles.stream().filter(t -> t.startsWith(OTHER_MODEL)).findFirst().orElseThrow();
        HttpResponse<String> set = call("POST", "/sdapi/v1/options", "{\"sd_model_checkpoint\": " + quote(chosen) + "}",
                "Content-Type", "application/json", auth[0], auth[1]);
        assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
        JsonNode progress = getJson("/sdapi/v1/progress", auth);
        assertThat(progress.get("progress").asDouble()).isEqualTo(0.0);
        assertThat(progress.get("state").get("job_count").asInt()).isZero();
        assertThat(getJson("/sdapi/v1/options", auth).get("sd_model_checkpoint").asString()).isEqualTo(chosen);

        // /generate: GET /options first (is it Forge? 'forge_preset' in options), then txt2img with the client's body
        assertThat(getJson("/sdapi/v1/options", auth).has("forge_preset")).isFalse();
        String body = """
                {"url": "http://127.0.0.1:%d", "auth": "alice:%s",
                 "prompt": "best quality, absurdres, aesthetic, a red fox in the snow",
                 "negative_prompt": "lowres, bad anatomy, bad hands, text, error, cropped, worst quality, low quality",
                 "sampler_name": "DDIM", "scheduler": "normal", "steps": 2, "cfg_scale": 7, "width": 64, "height": 64,
                 "restore_faces": false, "enable_hr": false, "hr_upscaler": "Latent", "hr_scale": 2,
                 "denoising_strength": 0.7, "hr_second_pass_steps": 0,
                 "override_settings": {"CLIP_stop_at_last_layers": 1},
                 "override_settings_restore_afterwards": true, "clip_skip": 1,
                 "save_images": true, "send_images": true, "do_not_save_grid": false, "do_not_save_samples": false}"""
                .formatted(test.fleet.gatewayPort(), ALICE_PASSWORD);
        HttpResponse<String> made = call("POST", "/sdapi/v1/txt2img", body, "Content-Type", "application/json",
                auth[0], auth[1]);
        assertThat(made.statusCode()).as(made.body()).isEqualTo(200);
        assertThat(made.headers().firstValue("X-Sdfleet-Ignored-Fields").orElse(""))
                .as("SillyTavern's own keys, SD.Next's clip_skip and the schedule type DDIM never uses are ignored,"
                        + " as A1111 ignores them")
                .contains("url", "auth", "clip_skip", "scheduler");
        JsonNode answer = JSON.readTree(made.body());
        byte[] png = Base64.getDecoder().decode(answer.get("images").get(0).asString()); // data.images[0]

        ObjectNode replay = (ObjectNode) JSON.readTree(body);
        replay.put("seed", JSON.readTree(answer.get("info").asString()).get("seed").asLong());
        assertMadeBy(png, OTHER_MODEL, replay);
    }

    /**
     * Open WebUI's automatic1111 engine, open-webui/open-webui backend/open_webui/routers/images.py:
     * {@code authorization: Basic base64(AUTOMATIC1111_API_AUTH)} (lower-case header name) on every call;
     * verify_url() GETs /options; get_models() maps /sd-models to {id: title, name: model_name};
     * set_image_model() GETs /options and, when the model differs, POSTs the whole dict back with
     * sd_model_checkpoint replaced; image_generations() reads the model from /options, then POSTs
     * {prompt, batch_size: n, width, height, steps, negative_prompt} (the size string split into ints) and reads
     * {@code images} (plain base64) and {@code info} (kept as the file's metadata).
     */
    @Test
    @Order(2)
    void openWebUi() throws Exception {
        String[] auth = {"authorization", aliceBasic};
        assertThat(call("GET", "/sdapi/v1/options", null, auth).statusCode()).isEqualTo(200); // verify_url
        List<Map<String, String>> models = new ArrayList<>();
        getJson("/sdapi/v1/sd-models", auth).forEach(m -> models.add(Map.of("id", m.get("title").asString(),
                "name", m.get("model_name").asString())));
        assertThat(models).extracting(m -> m.get("name")).containsExactly("alpha", "beta");
        String chosen = models.stream().filter(m -> m.get("name").equals("beta")).findFirst().orElseThrow().get("id");

        // set_image_model(chosen): read the whole options dict, replace the checkpoint, post it all back
        ObjectNode options = (ObjectNode) getJson("/sdapi/v1/options", auth);
        assertThat(options.get("sd_model_checkpoint").asString()).isNotEqualTo(chosen);
        options.put("sd_model_checkpoint", chosen);
        HttpResponse<String> set = call("POST", "/sdapi/v1/options", JSON.writeValueAsString(options),
                "Content-Type", "application/json", auth[0], auth[1]);
        assertThat(set.statusCode()).as(set.body()).isEqualTo(200); // raise_for_status()
        assertThat(getJson("/sdapi/v1/options", auth).get("sd_model_checkpoint").asString()).isEqualTo(chosen);

        // image_generations(): get_image_model() reads options first, then txt2img
        assertThat(getJson("/sdapi/v1/options", auth).get("sd_model_checkpoint").asString()).isEqualTo(chosen);
        String size = "64x64";
        String[] wh = size.split("x");
        String body = """
                {"prompt": "a lighthouse at dusk", "batch_size": 1, "width": %d, "height": %d, "steps": 2,
                 "negative_prompt": "blurry"}""".formatted(Integer.parseInt(wh[0]), Integer.parseInt(wh[1]));
        HttpResponse<String> made = call("POST", "/sdapi/v1/txt2img", body, "Content-Type", "application/json",
                auth[0], auth[1]);
        assertThat(made.statusCode()).as(made.body()).isEqualTo(200);
        JsonNode res = JSON.readTree(made.body());
        assertThat(res.get("images")).hasSize(1);
        String image = res.get("images").get(0).asString();
        assertThat(image).as("no data: prefix: get_image_data() decodes it as plain base64").doesNotContain(",");
        assertThat(res.get("info").isString()).isTrue();
        byte[] png = Base64.getDecoder().decode(image);

        ObjectNode replay = (ObjectNode) JSON.readTree(body);
        replay.put("seed", JSON.readTree(res.get("info").asString()).get("seed").asLong());
        assertMadeBy(png, OTHER_MODEL, replay);
    }

    /**
     * mix1009/sdwebuiapi webuiapi/webuiapi.py: {@code WebUIApi(username, password)} sets requests' session.auth
     * (basic) and at once GETs /scripts (check_extensions reads {@code scripts["txt2img"]}); util_get_model_names()
     * sorts the titles of /sd-models, util_get_sampler_names()/util_get_scheduler_names() the names of /samplers and
     * /schedulers; util_get_current_model() reads options.sd_model_checkpoint; util_set_model(name) lower-cases the
     * name, picks the title, POSTs {sd_model_checkpoint: title} and calls .json() on the answer;
     * util_wait_for_ready() polls /progress; txt2img() sends its full payload (Python's None as null, the hires
     * fields at their defaults, sampler_index beside sampler_name, scheduler "automatic") and _to_api_result()
     * base64-decodes every image and json.loads() the info.
     */
    @Test
    @Order(3)
    void sdWebUiApi() throws Exception {
        String[] auth = {"Authorization", aliceBasic};
        JsonNode scripts = getJson("/sdapi/v1/scripts", auth); // check_extensions()
        assertThat(scripts.get("txt2img").isArray()).isTrue();
        assertThat(scripts.get("img2img").isArray()).isTrue();
        List<String> titles = names(getJson("/sdapi/v1/sd-models", auth), "title").stream().sorted().toList();
        assertThat(names(getJson("/sdapi/v1/samplers", auth), "name")).contains("Euler a");
        assertThat(names(getJson("/sdapi/v1/schedulers", auth), "name")).contains("automatic");
        JsonNode before = getJson("/sdapi/v1/options", auth);
        assertThat(before.has("sd_model_checkpoint")).isTrue();
        assertThat(titles).contains(before.get("sd_model_checkpoint").asString()); // util_get_current_model()

        // util_set_model("beta.safetensors"): find_closest lower-cases it and matches it against the titles
        String wanted = OTHER_MODEL.toLowerCase(Locale.ROOT);
        String found = titles.contains(wanted) ? wanted : titles.stream()
                .max(Comparator.comparingDouble(t -> similarity(wanted, t))).orElseThrow();
        assertThat(found).startsWith(OTHER_MODEL);
        HttpResponse<String> set = call("POST", "/sdapi/v1/options", "{\"sd_model_checkpoint\": " + quote(found) + "}",
                "Content-Type", "application/json", auth[0], auth[1]);
        assertThat(set.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(set.body()).isNull()).as("set_options() returns response.json(): None").isTrue();
        JsonNode progress = getJson("/sdapi/v1/progress", auth); // util_wait_for_ready()
        assertThat(progress.get("progress").asDouble()).isEqualTo(0.0);
        assertThat(progress.get("state").get("job_count").asInt()).isZero();
        assertThat(getJson("/sdapi/v1/options", auth).get("sd_model_checkpoint").asString()).isEqualTo(found);

        String body = """
                {"enable_hr": false, "hr_scale": 2, "hr_upscaler": "Latent", "hr_second_pass_steps": 0,
                 "hr_resize_x": 0, "hr_resize_y": 0, "hr_checkpoint_name": null, "hr_sampler_name": null,
                 "hr_scheduler": null, "hr_prompt": "", "hr_negative_prompt": "", "denoising_strength": 0.7,
                 "firstphase_width": 0, "firstphase_height": 0, "prompt": "a cute cat", "styles": [], "seed": 1234,
                 "subseed": -1, "subseed_strength": 0.0, "seed_resize_from_h": 0, "seed_resize_from_w": 0,
                 "batch_size": 1, "n_iter": 1, "steps": 2, "cfg_scale": 7.0, "width": 64, "height": 64,
                 "restore_faces": false, "tiling": false, "do_not_save_samples": false, "do_not_save_grid": false,
                 "negative_prompt": "", "eta": 1.0, "s_churn": 0, "s_tmax": 0, "s_tmin": 0, "s_noise": 1,
                 "override_settings": {}, "override_settings_restore_afterwards": true, "sampler_name": "Euler a",
                 "scheduler": "automatic", "sampler_index": "Euler a", "script_name": null, "script_args": [],
                 "send_images": true, "save_images": false, "alwayson_scripts": {}}""";
        HttpResponse<String> made = call("POST", "/sdapi/v1/txt2img", body, "Content-Type", "application/json",
                auth[0], auth[1]);
        assertThat(made.statusCode()).as(made.body()).isEqualTo(200);
        JsonNode r = JSON.readTree(made.body());
        JsonNode info = JSON.readTree(r.get("info").asString()); // json.loads(r["info"])
        assertThat(info.get("seed").asLong()).isEqualTo(1234);
        assertThat(info.get("sd_model_name").asString()).isEqualTo("beta");
        assertThat(r.get("parameters").get("prompt").asString()).isEqualTo("a cute cat");
        byte[] png = Base64.getDecoder().decode(r.get("images").get(0).asString()); // result.image
        assertMadeBy(png, OTHER_MODEL, (ObjectNode) JSON.readTree(body));
    }

    /**
     * The image alice's client got came from {@code model}: its PNG infotext names it and its hash, and the same
     * request (same seed) from bob, who is still on the default model, makes different pixels named after the
     * default. Bob's options still show the default, and he cannot list alice's generations.
     */
    private void assertMadeBy(byte[] png, String model, ObjectNode sameRequest) throws Exception {
        String stem = model.substring(0, model.lastIndexOf('.'));
        Map<String, String> sdModels = new HashMap<>();
        getJson("/sdapi/v1/sd-models", "Authorization", bobBearer)
                .forEach(m -> sdModels.put(m.get("model_name").asString(), m.get("hash").asString()));
        String parameters = PngFiles.readText(png).getOrDefault("parameters", "");
        assertThat(parameters).contains("Model: " + stem, "Model hash: " + sdModels.get(stem));

        String defaultTitle = getJson("/sdapi/v1/options", "Authorization", bobBearer).get("sd_model_checkpoint").asString();
        assertThat(defaultTitle).as("bob's checkpoint is untouched by alice's switch").startsWith(DEFAULT_MODEL);
        sameRequest.remove(List.of("url", "auth"));
        HttpResponse<String> bobs = call("POST", "/sdapi/v1/txt2img", JSON.writeValueAsString(sameRequest),
                "Content-Type", "application/json", "Authorization", bobBearer);
        assertThat(bobs.statusCode()).as(bobs.body()).isEqualTo(200);
        byte[] bobPng = Base64.getDecoder().decode(JSON.readTree(bobs.body()).get("images").get(0).asString());
        String defaultStem = DEFAULT_MODEL.substring(0, DEFAULT_MODEL.lastIndexOf('.'));
        assertThat(PngFiles.readText(bobPng).getOrDefault("parameters", ""))
                .contains("Model: " + defaultStem, "Model hash: " + sdModels.get(defaultStem));
        assertThat(pixels(bobPng)).as("same seed, other model: other pixels").isNotEqualTo(pixels(png));

        List<String> alices = new ArrayList<>();
        getJson("/api/v1/generations", "Authorization", aliceBasic).forEach(g -> alices.add(g.get("id").asString()));
        List<String> bobsList = new ArrayList<>();
        getJson("/api/v1/generations", "Authorization", bobBearer).forEach(g -> bobsList.add(g.get("id").asString()));
        assertThat(alices).isNotEmpty();
        assertThat(bobsList).isNotEmpty().doesNotContainAnyElementsOf(alices);
    }

    /**
     * The second checkpoint: the reference file with one UNet tensor (fp32, in place) scaled and shifted, so the same
     * topology and tokenizer make other images.
     */
    private static void perturb(Path file, String tensor) throws Exception {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(len, 0);
            long headerLength = len.flip().getLong();
            ByteBuffer header = ByteBuffer.allocate((int) headerLength);
            ch.read(header, 8);
            JsonNode entry = JSON.readTree(new String(header.array(), StandardCharsets.UTF_8)).get(tensor);
            assertThat(entry.get("dtype").asString()).isEqualTo("F32");
            long start = 8 + headerLength + entry.get("data_offsets").get(0).asLong();
            long end = 8 + headerLength + entry.get("data_offsets").get(1).asLong();
            ByteBuffer data = ByteBuffer.allocate((int) (end - start)).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(data, start);
            Random random = new Random(11);
            for (int i = 0; i < data.capacity(); i += 4) {
                data.putFloat(i, -1.5f * data.getFloat(i) + 0.05f * (float) random.nextGaussian());
            }
            ch.write(data.rewind(), start);
        }
    }

    private static int[] pixels(byte[] png) throws Exception {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    }

    /** difflib's SequenceMatcher ratio, roughly: twice the common prefix-and-suffix length over both lengths. */
    private static double similarity(String a, String b) {
        int common = 0;
        while (common < Math.min(a.length(), b.length()) && a.charAt(common) == b.charAt(common)) {
            common++;
        }
        return 2.0 * common / (a.length() + b.length());
    }

    private static List<String> names(JsonNode array, String field) {
        List<String> out = new ArrayList<>();
        array.forEach(e -> out.add(e.get(field).asString()));
        return out;
    }

    private static String quote(String s) throws Exception {
        return JSON.writeValueAsString(s);
    }

    private JsonNode getJson(String path, String... headers) throws Exception {
        HttpResponse<String> response = call("GET", path, null, headers);
        assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private HttpResponse<String> call(String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + test.fleet.gatewayPort() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        boolean typed = false;
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
            typed |= headers[i].equalsIgnoreCase("Content-Type");
        }
        if (body != null && !typed) {
            b.header("Content-Type", "application/json");
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
