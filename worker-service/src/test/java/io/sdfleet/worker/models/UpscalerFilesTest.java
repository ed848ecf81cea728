package io.sdfleet.worker.models;

import com.sun.net.httpserver.HttpServer;
import io.sdfleet.diffusion.upscale.UpscalerLibrary;
import io.sdfleet.internal.InternalCredential;
import io.sdfleet.request.HiresFix;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A job's hires upscaler file: from the models folder, else pulled from the registry, else a job error naming it. */
class UpscalerFilesTest {

    @TempDir
    Path models;
    @TempDir
    Path cache;
    private HttpServer server;
    /** Registered files: "kind/name" to bytes. */
    private final Map<String, byte[]> registered = new LinkedHashMap<>();
    private final AtomicInteger downloads = new AtomicInteger();
    private final InternalCredential credential = InternalCredential.of(InternalCredential.generate());
    private ModelPuller puller;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/internal/models", exchange -> {
            if (!credential.isPresentedBy(exchange.getRequestHeaders().getFirst("Authorization"))) {
                exchange.sendResponseHeaders(401, -1);
                exchange.close();
                return;
            }
            String path = exchange.getRequestURI().getPath();
            byte[] body;
            if (path.equals("/internal/models")) {
                StringBuilder json = new StringBuilder("[");
                for (var e : registered.entrySet()) {
                    String[] kindName = e.getKey().split("/");
                    json.append(json.length() > 1 ? "," : "").append("{\"kind\":\"").append(kindName[0])
                            .append("\",\"name\":\"").append(kindName[1]).append("\",\"sha256\":\"")
                            .append(sha(e.getValue())).append("\",\"sizeBytes\":").append(e.getValue().length).append('}');
                }
                body = json.append(']').toString().getBytes(StandardCharsets.UTF_8);
            } else {
                downloads.incrementAndGet();
                String sha = path.split("/")[3];
                body = registered.values().stream().filter(b -> sha(b).equals(sha)).findFirst().orElseThrow();
            }
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        puller = new ModelPuller("http://127.0.0.1:" + server.getAddress().getPort(), credential, cache,
                1 << 20, JsonMapper.builder().build());
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void aLocalFileInA1111sFolderIsUsedWithoutTheRegistry() throws Exception {
        Path local = Files.createDirectories(models.resolve("RealESRGAN")).resolve("RealESRGAN_x4plus.pth");
        Files.write(local, new byte[] {1, 2, 3});
        registered.put("realesrgan/RealESRGAN_x4plus.pth", new byte[] {9, 9});
        UpscalerLibrary library = UpscalerFiles.prepareAll(models, puller, List.of("R-ESRGAN 4x+"));
        assertThat(library.file("R-ESRGAN 4x+")).contains(local);
        assertThat(downloads.get()).isZero();
    }

    @Test
    void aFileOnlyTheRegistryHasIsPulledIntoTheCache() {
        byte[] bytes = "an esrgan file".getBytes(StandardCharsets.UTF_8);
        registered.put("esrgan/4x-UltraSharp.pth", bytes);
        registered.put("lora/4x-UltraSharp.pt", new byte[] {5});
        UpscalerLibrary library = UpscalerFiles.prepareAll(models, puller, List.of("4x-UltraSharp"));
        Path pulled = library.file("4x-UltraSharp").orElseThrow();
        assertThat(pulled).startsWith(cache.toAbsolutePath()).hasFileName("4x-UltraSharp.pth").hasBinaryContent(bytes);
        assertThat(downloads.get()).isEqualTo(1);
    }

    @Test
    void aFileInNeitherIsAnErrorNamingTheFile() {
        registered.put("esrgan/RealESRGAN_x4plus.pth", new byte[] {1}); // another kind's folder
        assertThatThrownBy(() -> UpscalerFiles.prepareAll(models, puller, List.of("R-ESRGAN 4x+")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("upscaler 'R-ESRGAN 4x+' needs the file RealESRGAN/RealESRGAN_x4plus.pth")
                .hasMessageContaining(models.resolve("RealESRGAN").toString())
                .hasMessageContaining("nor in the fleet's model registry (kind realesrgan)");
        assertThat(downloads.get()).isZero();
    }

    @Test
    void latentAndBuiltInUpscalersNeedNoFile() {
        for (String upscaler : new String[] {"Latent", "None", "Lanczos", "Nearest"}) {
            assertThat(UpscalerFiles.prepareAll(models, puller, List.of(upscaler)).file(upscaler)).isEmpty();
        }
        assertThat(UpscalerFiles.prepareAll(models, puller, List.of())).isNotNull();
    }

    private static String sha(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
    /** An extras job's face-restoration files: A1111's folders first (GFPGAN by "GFPGAN" in the name), else pulled. */
    @Test
    void anExtrasJobsFaceModelsComeFromA1111sFoldersElseTheRegistry() throws Exception {
        Files.createDirectories(models.resolve("GFPGAN"));
        Files.writeString(models.resolve("GFPGAN/detection_Resnet50_Final.pth"), "detector");
        Files.writeString(models.resolve("GFPGAN/gfpgan-lowercase.pth"), "not picked: A1111 looks for 'GFPGAN'");
        Files.writeString(models.resolve("GFPGAN/GFPGANv1.4.pth"), "gfpgan");
        registered.put("gfpgan/parsing_parsenet.pth", "parser".getBytes(StandardCharsets.UTF_8));
        registered.put("codeformer/codeformer-v0.1.0.pth", "codeformer".getBytes(StandardCharsets.UTF_8));
        io.sdfleet.request.Extras both = new io.sdfleet.request.Extras(List.of("-"), List.of(), 0, 2, false, 512, 512,
                true, "None", "None", 0, 0.5, 0.5, 0);
        io.sdfleet.diffusion.restore.restorer.FaceRestorerLibrary library = FaceRestorerFiles.prepare(models, puller, both);
        var gfpgan = library.files("GFPGAN");
        assertThat(gfpgan.network()).isEqualTo(models.resolve("GFPGAN/GFPGANv1.4.pth"));
        assertThat(gfpgan.detector()).isEqualTo(models.resolve("GFPGAN/detection_Resnet50_Final.pth"));
        assertThat(Files.readString(gfpgan.parser())).isEqualTo("parser");
        assertThat(Files.readString(library.files("CodeFormer").network())).isEqualTo("codeformer");

        io.sdfleet.request.Extras upscaleOnly = new io.sdfleet.request.Extras(List.of("-"), List.of(), 0, 2, false, 512,
                512, true, "Lanczos", "None", 0, 0, 0, 0);
        registered.clear();
        assertThat(FaceRestorerFiles.prepare(models, puller, upscaleOnly)).as("no restorer step: nothing needed").isNotNull();
    }
}
