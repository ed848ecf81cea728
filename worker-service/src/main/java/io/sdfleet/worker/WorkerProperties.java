package io.sdfleet.worker;

import org.springframework.boot.context.properties.ConfigurationProperties;

import org.springframework.util.unit.DataSize;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.UUID;

/**
 * How this worker runs: its id (host name plus a random suffix when not set), where checkpoints live and which one
 * serves requests that name none, the tokenizer for single-file checkpoints, the device, how many models stay
 * loaded, where storage-service listens, every how many steps a live preview is sent (0 = never), and how the
 * engine saves memory (A1111's medvram/lowvram as {@code memory-mode}, an attention budget, a tiled VAE), and
 * where models pulled from the fleet's registry are cached ({@code model-cache-dir}, at most
 * {@code model-cache-max-size} bytes, least recently used evicted first).
 */
@ConfigurationProperties("sdfleet.worker")
public record WorkerProperties(String id, Path modelsDir, String defaultModel, Path tokenizer, String device,
                               int modelCacheSize, String storageUrl, int heartbeatSeconds, Integer previewEvery,
                               String memoryMode, Integer attentionBudgetMb, Boolean tiledVae,
                               Path modelCacheDir, DataSize modelCacheMaxSize) {

    public WorkerProperties {
        if (id == null || id.isBlank()) {
            id = hostName() + "-" + UUID.randomUUID().toString().substring(0, 8);
        }
        modelCacheSize = Math.max(1, modelCacheSize);
        heartbeatSeconds = Math.max(1, heartbeatSeconds);
        previewEvery = previewEvery == null ? 10 : Math.max(0, previewEvery); // A1111's default live preview period
        memoryMode = memoryMode == null || memoryMode.isBlank() ? "plain" : memoryMode;
        attentionBudgetMb = attentionBudgetMb == null ? 0 : Math.max(0, attentionBudgetMb);
        tiledVae = tiledVae != null && tiledVae;
        modelCacheDir = modelCacheDir == null || modelCacheDir.toString().isBlank() ? Path.of("model-cache") : modelCacheDir;
        modelCacheMaxSize = modelCacheMaxSize == null ? DataSize.ofGigabytes(50) : modelCacheMaxSize;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "worker";
        }
    }
}
