package io.sdfleet.storage;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Stores finished images: PNG bytes in an S3 bucket, metadata rows in PostgreSQL. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class StorageApplication {

    /** Each service reads its own {@code storage-service.properties}, so several can share one JVM (local mode). */
    public static final String CONFIG_NAME = "spring.config.name=storage-service";

    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(StorageApplication.class).properties(CONFIG_NAME);
    }

    public static void main(String[] args) {
        builder().run(args);
    }
}
