package io.sdfleet.storage.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.springframework.stereotype.Component;

/**
 * storage-service's meters.
 * <ul>
 *   <li>{@code sdfleet.storage.images{result}}: images handed in, {@code result} stored (new) or duplicate (already
 *       stored by an earlier delivery of the same job)</li>
 *   <li>{@code sdfleet.storage.store}: timer of storing one image (S3 upload and metadata row)</li>
 *   <li>{@code sdfleet.storage.errors{operation}}: failures storing ({@code store}) or reading ({@code read}) images
 *       in S3 or PostgreSQL</li>
 * </ul>
 */
@Component
public class StorageMetrics {

    private final MeterRegistry registry;
    private final Timer store;

    public StorageMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.store = Timer.builder("sdfleet.storage.store").description("Time storing one image").register(registry);
        for (String result : new String[] {"stored", "duplicate"}) {
            images(result);
        }
        for (String operation : new String[] {"store", "read"}) {
            errors(operation);
        }
    }

    public Timer storeTimer() {
        return store;
    }

    public void stored(boolean created) {
        images(created ? "stored" : "duplicate").increment();
    }

    public void error(String operation) {
        errors(operation).increment();
    }

    private Counter images(String result) {
        return Counter.builder("sdfleet.storage.images").tag("result", result)
                .description("Images handed to storage").register(registry);
    }

    private Counter errors(String operation) {
        return Counter.builder("sdfleet.storage.errors").tag("operation", operation)
                .description("Failures storing or reading images (S3 or PostgreSQL)").register(registry);
    }
}
