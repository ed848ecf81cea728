package io.sdfleet.launcher;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Local mode on "a machine with only a JDK": no broker answers on the chosen port, so everything is embedded —
 * PostgreSQL, the Qpid AMQP broker and S3Proxy — and an A1111 request goes through the whole fleet.
 */
class LocalModeTest {

    @Test
    void embeddedServersCarryAnA1111Request(@TempDir Path home) throws Exception {
        Path reference = Path.of(System.getProperty("sdfleet.reference", "../../shared/reference")).toAbsolutePath();
        Map<String, String> env = Map.of("SDFLEET_AMQP_PORT", String.valueOf(freePort()),
                "SDFLEET_DB_PORT", String.valueOf(freePort()));
        List<AutoCloseable> started = new ArrayList<>();
        try {
            Infrastructure infra = LocalInfrastructure.start(home, started, env);
            assertThat(started).hasSize(3); // PostgreSQL, Qpid, S3Proxy: nothing came from outside
            Fleet fleet = Fleet.start(infra, new Fleet.Options(reference, "mini_sd15_fp32.safetensors",
                    reference.resolve("clip-tokenizer"), 0, 1));
            started.add(fleet);
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + fleet.gatewayPort() + "/sdapi/v1/txt2img"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"prompt\": \"local\", \"steps\": 2, \"width\": 64, \"height\": 64, \"seed\": 5}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            JsonNode body = JsonMapper.builder().build().readTree(response.body());
            assertThat(body.get("images")).hasSize(1);
        } finally {
            Collections.reverse(started);
            for (AutoCloseable c : started) {
                c.close();
            }
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
