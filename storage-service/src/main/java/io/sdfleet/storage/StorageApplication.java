package io.sdfleet.storage;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Stores finished images: PNG bytes in an S3 bucket, metadata rows in PostgreSQL. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class StorageApplication {

    public static void main(String[] args) {
        SpringApplication.run(StorageApplication.class, args);
    }
}
