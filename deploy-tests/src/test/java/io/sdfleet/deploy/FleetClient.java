package io.sdfleet.deploy;

import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What the deployment tests ask a running gateway: readiness, a user and key made with the admin key, a txt2img. */
final class FleetClient {

    static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String base;

    FleetClient(String base) {
        this.base = base;
    }

    /** Polls until the URL answers 200, else fails with the last answer. */
    static void awaitOk(String url, Duration timeout, String hint) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        String last = "";
        while (Instant.now().isBefore(deadline)) {
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) return;
                last = r.statusCode() + " " + r.body();
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(3000);
        }
        throw new AssertionError(url + " not ready after " + timeout + ": " + last + " (" + hint + ")");
    }

    void awaitReady(Duration timeout, String hint) throws InterruptedException {
        awaitOk(base + "/actuator/health/readiness", timeout, hint);
    }

    /** Makes a user with the admin key and returns a new API key of theirs. */
    String userKey(String adminKey, String user) throws IOException, InterruptedException {
        HttpResponse<String> created = post("/api/v1/admin/users", adminKey, "{\"name\":\"" + user + "\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        HttpResponse<String> key = post("/api/v1/admin/users/" + user + "/keys", adminKey, "{\"label\":\"deploy test\"}");
        assertThat(key.statusCode()).as(key.body()).isEqualTo(201);
        return (String) json(key.body()).get("key");
    }

    /** An A1111 txt2img (64x64, 2 steps), answered as it comes. */
    HttpResponse<String> txt2img(String apiKey) throws IOException, InterruptedException {
        String body = "{\"prompt\":\"a lighthouse at dusk\",\"steps\":2,\"width\":64,\"height\":64,\"seed\":7,"
                + "\"sampler_name\":\"Euler\",\"cfg_scale\":7}";
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + "/sdapi/v1/txt2img"))
                .timeout(Duration.ofMinutes(5)).header("Authorization", "Bearer " + apiKey)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** An A1111 txt2img that must answer one PNG, returned. */
    byte[] txt2imgPng(String apiKey) throws IOException, InterruptedException {
        HttpResponse<String> image = null;
        Instant deadline = Instant.now().plus(Duration.ofMinutes(10));
        // Until a worker has announced itself the gateway may answer 503.
        while (Instant.now().isBefore(deadline)) {
            image = txt2img(apiKey);
            if (image.statusCode() != 503) break;
            Thread.sleep(5000);
        }
        assertThat(image).isNotNull();
        assertThat(image.statusCode()).as(image.body()).isEqualTo(200);
        @SuppressWarnings("unchecked")
        List<String> images = (List<String>) json(image.body()).get("images");
        assertThat(images).hasSize(1);
        byte[] png = Base64.getDecoder().decode(images.getFirst());
        assertThat(png).startsWith(PNG);
        return png;
    }

    private HttpResponse<String> post(String path, String bearer, String json) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + bearer).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> json(String body) {
        return (Map<String, Object>) new Yaml().load(body);
    }
}
