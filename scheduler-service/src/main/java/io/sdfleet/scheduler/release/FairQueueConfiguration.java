package io.sdfleet.scheduler.release;

import io.sdfleet.scheduler.SchedulerProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration
class FairQueueConfiguration {

    @Bean
    FairQueue fairQueue(SchedulerProperties properties) {
        return new FairQueue(properties.usageHalfLifeSeconds());
    }
}
