package io.sdfleet.scheduler.state;

import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The lock's connection: its own session on the database the pool (and Flyway) use, outside the pool. */
@Configuration
class StateConfiguration {

    @Bean(destroyMethod = "close")
    FencedConnection fencedConnection(DataSourceProperties database) {
        return new FencedConnection(database.determineUrl(), database.determineUsername(),
                database.determinePassword());
    }
}
