package io.sdfleet.storage.image;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Where images and models go: any S3 API (MinIO in deployments, S3Proxy in tests), path-style addressing. Images
 * live in {@code bucket}, model files (checkpoints, VAEs, LoRAs, embeddings) in {@code modelsBucket}.
 */
@ConfigurationProperties("sdfleet.s3")
public record S3Properties(String endpoint, String region, String accessKey, String secretKey, String bucket,
                           String modelsBucket) {

    public S3Properties {
        modelsBucket = modelsBucket == null || modelsBucket.isBlank() ? "sdfleet-models" : modelsBucket;
    }
}
