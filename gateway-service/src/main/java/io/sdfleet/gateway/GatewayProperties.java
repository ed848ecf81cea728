package io.sdfleet.gateway;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.nio.file.Path;

/** Where storage-service listens, where models are listed from, the default model, how long a sync call waits. */
@ConfigurationProperties("sdfleet.gateway")
public record GatewayProperties(String storageUrl, Path modelsDir, String defaultModel, long syncTimeoutSeconds) {
}
