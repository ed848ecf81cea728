package io.sdfleet.scheduler.release;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration
class FairQueueConfiguration {

    @Bean
    FairQueue fairQueue() {
        return new FairQueue();
    }
}
