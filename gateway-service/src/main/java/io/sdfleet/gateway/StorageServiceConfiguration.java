package io.sdfleet.gateway;

import io.sdfleet.internal.InternalCredential;
import io.sdfleet.storageclient.StorageServiceClient;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The gateway's one client of storage-service, shared by the image reads and the model registry. */
@Configuration(proxyBeanMethods = false)
class StorageServiceConfiguration {

    @Bean
    StorageServiceClient storageService(GatewayProperties properties, InternalCredential credential) {
        return new StorageServiceClient(properties.storageUrl(), credential);
    }
}
