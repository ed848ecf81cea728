package io.sdfleet.internal;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import java.net.Socket;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A small Spring Boot service with this module on its classpath, its actuator on a port of its own: both ports refuse
 * calls without the internal credential (also spelled around the probe paths), and serve health probes to anyone.
 */
class InternalAuthGuardTest {

    private static final String TOKEN = InternalCredential.generate();
    private static ConfigurableApplicationContext service;
    private static int serverPort;
    private static int managementPort;

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @RestController
    static class Service {
        @GetMapping("/internal/secret")
        String secret() {
            return "secret";
        }
    }

    @BeforeAll
    static void start() {
        service = new SpringApplicationBuilder(Service.class).properties("spring.config.name=none").run(
                "--server.port=0", "--server.address=127.0.0.1", "--management.server.port=0",
                "--management.server.address=127.0.0.1", "--sdfleet.internal.token=" + TOKEN,
                "--management.endpoints.web.exposure.include=health,info");
        serverPort = Integer.parseInt(service.getEnvironment().getProperty("local.server.port"));
        managementPort = Integer.parseInt(service.getEnvironment().getProperty("local.management.port"));
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    @Test
    void mainPortNeedsTheCredential() throws Exception {
        assertThat(status(serverPort, "/internal/secret", null)).isEqualTo(401);
        assertThat(status(serverPort, "/internal/secret", "Bearer " + "x".repeat(43))).isEqualTo(401);
        assertThat(status(serverPort, "/internal/secret", "Bearer " + TOKEN)).isEqualTo(200);
        assertThat(status(serverPort, "/%69nternal/secret", null)).isEqualTo(401);
        assertThat(status(serverPort, "/internal;x=1/secret", null)).isEqualTo(401);
    }

    @Test
    void managementPortNeedsTheCredentialExceptForHealthProbes() throws Exception {
        assertThat(status(managementPort, "/actuator/info", null)).isEqualTo(401);
        assertThat(status(managementPort, "/actuator", null)).isEqualTo(401);
        assertThat(status(managementPort, "/actuator/info", "Bearer " + TOKEN)).isEqualTo(200);
        assertThat(status(managementPort, "/actuator/health", null)).isEqualTo(200);
        assertThat(status(managementPort, "/actuator/health/liveness", null)).isEqualTo(200);
        // a probe path spelled differently routes elsewhere in the same way, so it is not a probe
        assertThat(status(managementPort, "/actuator/health;x=1/../info", null)).isEqualTo(401);
        assertThat(status(managementPort, "/actuator/%69nfo", null)).isEqualTo(401);
    }

    @Test
    void startUpFailsWithoutAToken() {
        try (ConfigurableApplicationContext ignored = new SpringApplicationBuilder(Service.class)
                .properties("spring.config.name=none").run("--server.port=0", "--sdfleet.internal.token=short")) {
            throw new AssertionError("a service started with a 5-character internal token");
        } catch (RuntimeException expected) {
            assertThat(rootCause(expected).getMessage()).contains("at least 32");
        }
    }

    private static Throwable rootCause(Throwable t) {
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** A raw HTTP/1.1 GET, so the path goes out exactly as written (no client normalises it). */
    private static int status(int port, String path, String authorization) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            String request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                    + (authorization == null ? "" : "Authorization: " + authorization + "\r\n") + "\r\n";
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String statusLine = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            return Integer.parseInt(statusLine.substring(9, 12));
        }
    }
}
