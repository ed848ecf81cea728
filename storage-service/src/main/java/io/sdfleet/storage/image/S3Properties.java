package io.sdfleet.storage.image;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** Where images go: any S3 API (MinIO in deployments, S3Proxy in tests), path-style addressing. */
@ConfigurationProperties("sdfleet.s3")
public record S3Properties(String endpoint, String region, String accessKey, String secretKey, String bucket) {
}
