package io.sdfleet.worker;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/** A GPU (or CPU) worker: takes one job at a time from the queue and runs the diffusion engine on it. */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class WorkerApplication {

    /** Each service reads its own {@code worker-service.properties}, so several can share one JVM (local mode). */
    public static final String CONFIG_NAME = "spring.config.name=worker-service";

    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(WorkerApplication.class).properties(CONFIG_NAME);
    }

    public static void main(String[] args) {
        builder().run(args);
    }
}
