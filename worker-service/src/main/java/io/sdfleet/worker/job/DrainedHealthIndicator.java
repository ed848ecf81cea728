package io.sdfleet.worker.job;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Health contributor "drained", part of the liveness group: DOWN once the scheduler has drained this worker and its
 * last job is over. Kubernetes then restarts the pod, which is how a worker that kept failing (a wedged GPU, leaked
 * memory) comes back fresh; outside Kubernetes, restart it by hand.
 */
@Component
public class DrainedHealthIndicator implements HealthIndicator {

    private final Drain drain;
    private final JobRunner runner;

    public DrainedHealthIndicator(Drain drain, JobRunner runner) {
        this.drain = drain;
        this.runner = runner;
    }

    @Override
    public Health health() {
        if (!drain.drained()) {
            return Health.up().build();
        }
        if (runner.currentJobId() != null) { // let it finish what it runs
            return Health.up().withDetail("draining", drain.reason()).build();
        }
        return Health.down().withDetail("drained", drain.reason()).build();
    }
}
