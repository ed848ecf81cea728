package io.sdfleet.scheduler.stall;

import io.sdfleet.scheduler.planning.WorkerRegistry;
import io.sdfleet.scheduler.state.SchedulerStore;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Duration;
import java.time.Instant;

@Configuration
class StallConfiguration {

    @Bean
    JobLeases jobLeases(StallProperties properties, WorkerRegistry workers) {
        return new JobLeases(properties, workers::speedOf);
    }

    @Bean
    WorkerHealth workerHealth(StallProperties properties, SchedulerStore store) {
        return new WorkerHealth(properties.faultsToDrain(),
                Duration.ofMillis(Math.round(properties.faultWindowSeconds() * 1000)), new WorkerHealth.FaultLog() {
            @Override
            public void counted(String workerId, Instant at, Instant forgetBefore) {
                store.faultCounted(workerId, at, forgetBefore);
            }

            @Override
            public void withdrawn(String workerId, Instant at) {
                store.faultWithdrawn(workerId, at);
            }

            @Override
            public void cleared(String workerId) {
                store.faultsCleared(workerId);
            }
        });
    }

    @Bean
    SameFailures sameFailures(WorkerHealth health, StallProperties properties) {
        return new SameFailures(health, Duration.ofMillis(Math.round(properties.faultWindowSeconds() * 1000)));
    }
}
