package io.sdfleet.launcher;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A1111 API calls against a test fleet's gateway as one user (authentication off: named by X-Sdfleet-User), each
 * expected to succeed, and what tests read from the answers.
 */
final class A1111Calls {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient http = HttpClient.newHttpClient();
    private final TestFleet fleet;
    private final String user;

    A1111Calls(TestFleet fleet, String user) {
        this.fleet = fleet;
        this.user = user;
    }

    /** POST /sdapi/v1/{endpoint} answered 200 with exactly one image. */
    JsonNode generate(String endpoint, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/sdapi/v1/" + endpoint))
                .header("Content-Type", "application/json").header("X-Sdfleet-User", user)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode answer = JSON.readTree(r.body());
        assertThat(answer.get("images")).hasSize(1);
        return answer;
    }

    /** GET {path} answered 200: its body. */
    String get(String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri(path)).header("X-Sdfleet-User", user).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body();
    }

    /** The answer's {@code info}, a JSON document in a string as A1111 sends it. */
    static JsonNode info(JsonNode answer) {
        return JSON.readTree(answer.get("info").asString());
    }

    /** The answer's first image. */
    static BufferedImage png(JsonNode answer) throws Exception {
        return ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(answer.get("images").get(0).asString())));
    }

    /** How many pixels of two images of one size differ. */
    static int differingPixels(BufferedImage a, BufferedImage b) {
        int n = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                n += a.getRGB(x, y) == b.getRGB(x, y) ? 0 : 1;
            }
        }
        return n;
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + fleet.fleet.gatewayPort() + path);
    }
}
