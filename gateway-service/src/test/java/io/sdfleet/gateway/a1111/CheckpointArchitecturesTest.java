package io.sdfleet.gateway.a1111;

import com.sun.net.httpserver.HttpServer;
import io.sdfleet.gateway.GatewayProperties;
import io.sdfleet.gateway.models.ModelRegistry;
import io.sdfleet.internal.InternalCredential;
import io.sdfleet.request.ModelArchitecture;
import io.sdfleet.storageclient.StorageServiceClient;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Each checkpoint's family, read from the reference's mini files as A1111 tells them, local and registered. */
class CheckpointArchitecturesTest {

    private static final Path REFERENCE = Path.of(System.getProperty("sdfleet.reference", "../../shared/reference"))
            .toAbsolutePath();
    private static final Path BASE = REFERENCE.resolve("sdxl/models/mini_sdxl_base.safetensors");
    private static final Path REFINER = REFERENCE.resolve("sdxl/models/mini_sdxl_refiner.safetensors");
    private static final Path SD15 = REFERENCE.resolve("mini_sd15_fp32.safetensors");

    private static void requireReference() {
        Assumptions.assumeTrue(Files.isRegularFile(BASE) && Files.isRegularFile(REFINER) && Files.isRegularFile(SD15),
                "reference mini checkpoints not found under " + REFERENCE);
    }

    @Test
    void localCheckpointsAreToldByTheirKeys(@TempDir Path dir) throws Exception {
        requireReference();
        Files.createSymbolicLink(dir.resolve("mini_sdxl_base.safetensors"), BASE);
        Files.createSymbolicLink(dir.resolve("mini_sdxl_refiner.safetensors"), REFINER);
        Files.createSymbolicLink(dir.resolve("mini_sd15_fp32.safetensors"), SD15);
        Files.writeString(dir.resolve("broken_xl.safetensors"), "not a checkpoint");
        Files.writeString(dir.resolve("old.ckpt"), "not a pickle");
        ModelCatalog catalog = new ModelCatalog(new GatewayProperties("http://storage", dir, null, 60));

        assertThat(catalog.architectureOf("mini_sdxl_base.safetensors")).isEqualTo(ModelArchitecture.SDXL);
        assertThat(catalog.architectureOf("mini_sdxl_refiner.safetensors")).isEqualTo(ModelArchitecture.SDXL_REFINER);
        assertThat(catalog.architectureOf("mini_sd15_fp32.safetensors")).isEqualTo(ModelArchitecture.SD1);
        assertThat(catalog.architectureOf("broken_xl.safetensors")).as("unreadable: by name").isEqualTo(ModelArchitecture.SDXL);
        assertThat(catalog.architectureOf("old.ckpt")).isEqualTo(ModelArchitecture.SD1);
        assertThat(catalog.architectureOf("not-listed.safetensors")).isEqualTo(ModelArchitecture.SD1);
    }

    @Test
    void onlyTheHeaderIsRead() throws Exception {
        requireReference();
        byte[] file = Files.readAllBytes(BASE);
        long headerLength = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        AtomicLong read = new AtomicLong();
        InputStream counting = new ByteArrayInputStream(file) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                int n = super.read(b, off, len);
                read.addAndGet(Math.max(n, 0));
                return n;
            }
        };
        CheckpointArchitectures architectures = new CheckpointArchitectures(ModelRegistry.none(JsonMapper.builder().build()));
        assertThat(ModelArchitecture.ofKeys(architectures.safetensorsKeys(counting))).isEqualTo(ModelArchitecture.SDXL);
        assertThat(read.get()).isEqualTo(8 + headerLength).isLessThan(file.length / 10);
    }

    @Test
    void registeredCheckpointsAreToldByTheHeaderStreamedFromStorage() throws Exception {
        requireReference();
        byte[] base = Files.readAllBytes(BASE);
        HttpServer storage = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        AtomicLong contentCalls = new AtomicLong();
        storage.createContext("/internal/models", exchange -> {
            String path = exchange.getRequestURI().getPath();
            byte[] body;
            int status = 200;
            if (path.equals("/internal/models")) {
                body = """
                        [{"kind": "checkpoint", "name": "xl_base.safetensors", "sha256": "%s", "modelHash": "aaaaaaaaaa",
                          "legacyHash": "aaaaaaaa", "sizeBytes": %d},
                         {"kind": "checkpoint", "name": "sd_xl_refiner_1.0.ckpt", "sha256": "%s", "modelHash": "bbbbbbbbbb",
                          "legacyHash": "bbbbbbbb", "sizeBytes": 10}]"""
                        .formatted("a".repeat(64), base.length, "b".repeat(64)).getBytes(StandardCharsets.UTF_8);
            } else if (path.equals("/internal/models/" + "a".repeat(64) + "/content")) {
                contentCalls.incrementAndGet();
                body = base;
            } else {
                body = "no such model".getBytes(StandardCharsets.UTF_8);
                status = 404;
            }
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            } catch (IOException clientClosedEarly) {
                // the gateway reads the header only and hangs up
            }
            exchange.close();
        });
        storage.start();
        try {
            JsonMapper json = JsonMapper.builder().build();
            StorageServiceClient client = new StorageServiceClient("http://127.0.0.1:" + storage.getAddress().getPort() + "/",
                    InternalCredential.of(InternalCredential.generate()));
            ModelCatalog catalog = new ModelCatalog(new GatewayProperties("http://storage", null, null, 60),
                    new ModelRegistry(client, json));
            assertThat(catalog.architectureOf("xl_base.safetensors")).isEqualTo(ModelArchitecture.SDXL);
            assertThat(catalog.architectureOf("xl_base.safetensors")).isEqualTo(ModelArchitecture.SDXL);
            assertThat(contentCalls.get()).as("remembered by sha256").isEqualTo(1);
            assertThat(catalog.architectureOf("sd_xl_refiner_1.0.ckpt")).as("a registered pickle: by name")
                    .isEqualTo(ModelArchitecture.SDXL_REFINER);
        } finally {
            storage.stop(0);
        }
    }
}
