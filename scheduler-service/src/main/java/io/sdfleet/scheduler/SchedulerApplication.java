package io.sdfleet.scheduler;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/** Turns accepted requests into jobs and releases them to the workers' queue, users taking turns. */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class SchedulerApplication {

    /** Each service reads its own {@code scheduler-service.properties}, so several can share one JVM (local mode). */
    public static final String CONFIG_NAME = "spring.config.name=scheduler-service";

    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(SchedulerApplication.class).properties(CONFIG_NAME);
    }

    public static void main(String[] args) {
        builder().run(args);
    }
}
