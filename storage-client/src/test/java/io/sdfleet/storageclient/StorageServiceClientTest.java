package io.sdfleet.storageclient;

import com.sun.net.httpserver.HttpServer;
import io.sdfleet.contracts.Messaging;
import io.sdfleet.internal.InternalCredential;
import io.sdfleet.messaging.Tracing;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The storage client against a small real HTTP server: what it sends, and how failures reach its callers. */
class StorageServiceClientTest {

    private final InternalCredential credential = InternalCredential.of(InternalCredential.generate());
    private final Map<String, String> seen = new ConcurrentHashMap<>();
    private HttpServer server;
    private StorageServiceClient client;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            seen.put("authorization", String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            seen.put("trace", String.valueOf(exchange.getRequestHeaders().getFirst(Messaging.REQUEST_ID_HTTP_HEADER)));
            if (exchange.getRequestURI().getPath().equals("/slow")) {
                try {
                    Thread.sleep(3000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] body = "nothing here".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(404, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        client = new StorageServiceClient("http://127.0.0.1:" + server.getAddress().getPort() + "/", credential);
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void callsAreSignedTracedOnRequestAndAnswersOfAnyStatusReachTheCaller() throws Exception {
        String answer = Tracing.with("trace-7", () -> {
            try {
                return StorageServiceClient.exchange(client.tracedCall(HttpMethod.GET, "/x", Duration.ofSeconds(5)),
                        (request, response) -> response.getStatusCode().value() + " "
                                + new String(response.getBody().readAllBytes(), StandardCharsets.UTF_8));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(answer).isEqualTo("404 nothing here");
        assertThat(credential.isPresentedBy(seen.get("authorization"))).isTrue();
        assertThat(seen.get("trace")).isEqualTo("trace-7");

        Tracing.run("trace-8", () -> {
            try {
                StorageServiceClient.exchange(client.call(HttpMethod.GET, "/x", null), (request, response) -> 0);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(seen.get("trace")).as("a plain call carries no trace").isEqualTo("null");
    }

    @Test
    void anUnreachableStorageThrowsTheIoExceptionItself() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        StorageServiceClient away = new StorageServiceClient("http://127.0.0.1:" + closed, credential);
        assertThatThrownBy(() -> StorageServiceClient.exchange(away.call(HttpMethod.GET, "/x", Duration.ofSeconds(5)),
                (request, response) -> 0)).isInstanceOf(ConnectException.class);
        assertThatThrownBy(() -> StorageServiceClient.exchange(client.call(HttpMethod.GET, "/slow",
                Duration.ofMillis(300)), (request, response) -> 0)).isInstanceOf(HttpTimeoutException.class);
    }

    @Test
    void noStorageIsNotConfigured() {
        assertThat(new StorageServiceClient(null, null).configured()).isFalse();
        assertThat(client.configured()).isTrue();
        assertThat(client.uri("/internal/models").getPath()).isEqualTo("/internal/models");
    }
}
