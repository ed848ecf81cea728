package io.sdfleet.worker.storage;

import io.sdfleet.internal.InternalCredential;
import io.sdfleet.storageclient.StorageServiceClient;
import io.sdfleet.worker.WorkerProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The worker's one client of storage-service, shared by image uploads and model pulls. */
@Configuration(proxyBeanMethods = false)
class StorageServiceConfiguration {

    @Bean
    StorageServiceClient storageService(WorkerProperties properties, InternalCredential credential) {
        return new StorageServiceClient(properties.storageUrl(), credential);
    }
}
