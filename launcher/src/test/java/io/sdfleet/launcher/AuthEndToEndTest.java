package io.sdfleet.launcher;

import io.sdfleet.contracts.JobMessage;
import io.sdfleet.gateway.auth.Secrets;
import io.sdfleet.launcher.admin.AdminCli;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Users and keys against the real fleet (PostgreSQL, RabbitMQ, S3Proxy, workers on the mini model): every API call
 * needs a Bearer key or A1111-style basic auth, users see only their own work, admins alone manage users, and the
 * per-user limits answer 429 with Retry-After; nobody without the fleet's internal credential can slip an image into
 * another user's request through storage-service.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthEndToEndTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpClient http = HttpClient.newHttpClient();
    private final String adminKey = Secrets.newApiKey();
    private TestFleet test;
    private Fleet fleet;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        test = TestFleet.start(dir, "auth", 1, options -> options.withAdminKey(adminKey));
        fleet = test.fleet;
    }

    @AfterAll
    void stop() throws Exception {
        if (test != null) {
            test.close();
        }
    }

    @Test
    void everyCallNeedsCredentialsAndUsersSeeOnlyTheirOwnWork() throws Exception {
        HttpResponse<String> anonymous = send("GET", "/sdapi/v1/progress", null, null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate").orElse("")).contains("Bearer", "Basic");
        assertThat(send("GET", "/sdapi/v1/progress", null, bearer("sdf_not-a-key")).statusCode()).isEqualTo(401);

        assertThat(send("POST", "/api/v1/admin/users", "{\"name\": \"alice\", \"password\": \"correct horse\"}",
                bearer(adminKey)).statusCode()).isEqualTo(201);
        assertThat(send("POST", "/api/v1/admin/users", "{\"name\": \"bob\"}", bearer(adminKey)).statusCode()).isEqualTo(201);
        assertThat(send("POST", "/api/v1/admin/users", "{\"name\": \"bob\"}", bearer(adminKey)).statusCode())
                .as("names are unique").isEqualTo(400);
        String alice = newKey("alice");
        String bob = newKey("bob");
        assertThat(send("POST", "/api/v1/admin/users", "{\"name\": \"eve\"}", bearer(bob)).statusCode())
                .as("only admins manage users").isEqualTo(403);

        HttpResponse<String> accepted = send("POST", "/api/v1/generations",
                "{\"prompt\": \"a fox\", \"seed\": 3, \"steps\": 2, \"width\": 64, \"height\": 64}", bearer(alice));
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String id = JSON.readTree(accepted.body()).get("id").asString();
        awaitFinished(id, bearer(alice));
        assertThat(send("GET", "/api/v1/generations/" + id + "/images/0", null, bearer(alice)).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/api/v1/generations/" + id, null, bearer(bob)).statusCode()).isEqualTo(404);
        assertThat(send("GET", "/api/v1/generations/" + id + "/images/0", null, bearer(bob)).statusCode()).isEqualTo(404);
        assertThat(send("DELETE", "/api/v1/generations/" + id, null, bearer(bob)).statusCode()).isEqualTo(404);
        assertThat(send("GET", "/sdapi/v1/progress?force_task_id=" + id, null, bearer(bob)).body()).doesNotContain(id);

        // A1111 clients started with --api-auth send basic credentials.
        assertThat(send("GET", "/api/v1/generations/" + id, null, basic("alice", "correct horse")).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/api/v1/generations/" + id, null, basic("alice", "wrong horse")).statusCode()).isEqualTo(401);

        JsonNode keys = JSON.readTree(send("GET", "/api/v1/admin/users/bob/keys", null, bearer(adminKey)).body());
        assertThat(keys.toString()).doesNotContain(bob);
        assertThat(send("DELETE", "/api/v1/admin/keys/" + keys.get(0).get("id").asLong(), null, bearer(adminKey))
                .statusCode()).isEqualTo(204);
        assertThat(send("GET", "/sdapi/v1/progress", null, bearer(bob)).statusCode()).as("revoked").isEqualTo(401);
    }

    @Test
    void theWebPageNeedsNoCredentialsButItsCallsDo() throws Exception {
        HttpResponse<String> page = send("GET", "/", null, null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(page.body()).contains("<script type=\"module\" src=\"js/app.js\">");
        for (String module : List.of("app", "api", "prompt", "mask", "form", "jobs", "gallery")) {
            HttpResponse<String> js = send("GET", "/js/" + module + ".js", null, null);
            assertThat(js.statusCode()).as(module).isEqualTo(200);
            assertThat(js.headers().firstValue("Content-Type").orElse("")).as(module).contains("javascript");
        }
        assertThat(send("GET", "/css/app.css", null, null).statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(send("GET", "/ui/config", null, null).body()).get("authentication").asBoolean()).isTrue();
        assertThat(send("GET", "/api/v1/me", null, null).statusCode()).isEqualTo(401);
        JsonNode me = JSON.readTree(send("GET", "/api/v1/me", null, bearer(adminKey)).body());
        assertThat(me.get("name").asString()).isEqualTo("admin");
        assertThat(me.get("admin").asBoolean()).isTrue();
        assertThat(send("POST", "/api/v1/tokenize", "{\"text\": \"a cat\"}", null).statusCode()).isEqualTo(401);
        JsonNode tokens = JSON.readTree(send("POST", "/api/v1/tokenize", "{\"text\": \"a cat BREAK a dog\"}",
                bearer(adminKey)).body());
        assertThat(tokens.get("available").asBoolean()).as("the fleet's tokenizer reaches the gateway").isTrue();
        assertThat(tokens.get("chunks").toString()).isEqualTo("[2,2]");
    }

    @Test
    void limitsAnswer429WithRetryAfter() throws Exception {
        send("POST", "/api/v1/admin/users", "{\"name\": \"carol\", \"max_images_per_day\": 2}", bearer(adminKey));
        String carol = newKey("carol");
        HttpResponse<String> first = send("POST", "/api/v1/generations",
                "{\"prompt\": \"x\", \"steps\": 1, \"width\": 64, \"height\": 64, \"batch_size\": 2}", bearer(carol));
        assertThat(first.statusCode()).isEqualTo(202);
        HttpResponse<String> over = send("POST", "/api/v1/generations",
                "{\"prompt\": \"x\", \"steps\": 1, \"width\": 64, \"height\": 64}", bearer(carol));
        assertThat(over.statusCode()).isEqualTo(429);
        assertThat(Long.parseLong(over.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 86_400L);
        assertThat(over.body()).contains("images per day");

        send("POST", "/api/v1/admin/users", "{\"name\": \"dave\", \"max_concurrent_jobs\": 1}", bearer(adminKey));
        String dave = newKey("dave");
        assertThat(send("POST", "/api/v1/generations",
                "{\"prompt\": \"slow\", \"steps\": 300, \"width\": 64, \"height\": 64}", bearer(dave)).statusCode()).isEqualTo(202);
        HttpResponse<String> busy = send("POST", "/api/v1/generations",
                "{\"prompt\": \"x\", \"steps\": 1, \"width\": 64, \"height\": 64}", bearer(dave));
        assertThat(busy.statusCode()).isEqualTo(429);
        assertThat(busy.headers().firstValue("Retry-After")).isPresent();
        send("POST", "/sdapi/v1/interrupt", "{}", bearer(dave));
    }

    @Test
    void theAdminCommandLineCreatesUsersAndKeys() throws Exception {
        Map<String, String> env = Map.of("SDFLEET_URL", "http://127.0.0.1:" + fleet.gatewayPort(),
                "SDFLEET_ADMIN_KEY", adminKey);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        assertThat(AdminCli.run(List.of("create-user", "frank", "--password",
                "a long password"), env, print, print)).isZero();
        out.reset();
        assertThat(AdminCli.run(List.of("create-key", "frank"), env, print, print)).isZero();
        String key = JSON.readTree(out.toString(StandardCharsets.UTF_8)).get("key").asString();
        assertThat(send("GET", "/sdapi/v1/progress", null, bearer(key)).statusCode()).isEqualTo(200);
        assertThat(AdminCli.run(List.of("list-users"), Map.of(
                "SDFLEET_URL", "http://127.0.0.1:" + fleet.gatewayPort(), "SDFLEET_ADMIN_KEY", key), print, print))
                .as("frank is no admin").isEqualTo(1);
    }

    /**
     * Was: anyone who reached storage-service could PUT a forged PNG into another user's running request; it was
     * stored first, the worker's real image was dropped as a duplicate and the owner was served the forgery.
     */
    @Test
    void aForgedImageForAnotherUsersRequestIsRefusedAndTheRealOneServed() throws Exception {
        assertThat(send("POST", "/api/v1/admin/users", "{\"name\": \"grace\"}", bearer(adminKey)).statusCode()).isEqualTo(201);
        String grace = newKey("grace");
        HttpResponse<String> accepted = send("POST", "/api/v1/generations",
                "{\"prompt\": \"a lighthouse\", \"seed\": 11, \"steps\": 6, \"width\": 64, \"height\": 64}", bearer(grace));
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String id = JSON.readTree(accepted.body()).get("id").asString();

        byte[] forged = forgedPng();
        String jobId = JobMessage.jobIdOf(id, 0);
        String metadata = JSON.writeValueAsString(Map.of("requestId", id, "jobId", jobId, "imageIndex", 0,
                "user", "grace", "seed", 11, "prompt", "forged", "negativePrompt", "", "parametersJson", "{}",
                "infotext", "forged", "model", "mini"));
        String boundary = "forged-boundary";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"metadata\"\r\nContent-Type: application/json"
                + "\r\n\r\n" + metadata + "\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"i.png\""
                + "\r\nContent-Type: image/png\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(forged);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        for (String authorization : new String[] {null, bearer(grace), bearer(adminKey)}) {
            HttpRequest.Builder put = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + fleet.httpPorts().get("storage")
                            + "/internal/images")).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()));
            if (authorization != null) {
                put.header("Authorization", authorization);
            }
            HttpResponse<String> refused = http.send(put.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).as("forged PUT, sent with %s", authorization == null ? "nothing" : "a user's key")
                    .isEqualTo(401);
        }

        awaitFinished(id, bearer(grace));
        HttpResponse<byte[]> image = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + fleet.gatewayPort()
                + "/api/v1/generations/" + id + "/images/0")).header("Authorization", bearer(grace)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(image.statusCode()).isEqualTo(200);
        assertThat(image.body()).isNotEqualTo(forged);
        assertThat(new String(image.body(), StandardCharsets.ISO_8859_1)).contains("parameters", "a lighthouse")
                .doesNotContain("forged");
    }

    private static byte[] forgedPng() throws Exception {
        BufferedImage red = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        red.setRGB(0, 0, 0xff0000);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(red, "png", out);
        return out.toByteArray();
    }

    private String newKey(String user) throws Exception {
        HttpResponse<String> created = send("POST", "/api/v1/admin/users/" + user + "/keys", "{\"label\": \"test\"}",
                bearer(adminKey));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return JSON.readTree(created.body()).get("key").asString();
    }

    private void awaitFinished(String id, String auth) throws Exception {
        for (int i = 0; i < 600; i++) {
            String state = JSON.readTree(send("GET", "/api/v1/generations/" + id, null, auth).body()).get("state").asString();
            if (state.equals("finished")) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("generation " + id + " did not finish");
    }

    private static String bearer(String key) {
        return "Bearer " + key;
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private HttpResponse<String> send(String method, String path, String body, String auth) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + fleet.gatewayPort() + path))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (auth != null) {
            b.header("Authorization", auth);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
