package io.sdfleet.scheduler.stall;

import io.sdfleet.scheduler.planning.WorkerRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Duration;

@Configuration
class StallConfiguration {

    @Bean
    JobLeases jobLeases(StallProperties properties, WorkerRegistry workers) {
        return new JobLeases(properties, workers::speedOf);
    }

    @Bean
    WorkerHealth workerHealth(StallProperties properties) {
        return new WorkerHealth(properties.faultsToDrain(),
                Duration.ofMillis(Math.round(properties.faultWindowSeconds() * 1000)));
    }

    @Bean
    SameFailures sameFailures(WorkerHealth health, StallProperties properties) {
        return new SameFailures(health, Duration.ofMillis(Math.round(properties.faultWindowSeconds() * 1000)));
    }
}
