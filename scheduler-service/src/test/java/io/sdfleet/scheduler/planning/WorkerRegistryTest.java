package io.sdfleet.scheduler.planning;

import io.sdfleet.contracts.WorkerHeartbeat;
import io.sdfleet.scheduler.SchedulerProperties;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class WorkerRegistryTest {

    private static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");

    /** Was: a restarted scheduler forgot its drains and counted drained workers as capacity again (issue 14). */
    @Test
    void aWorkerThatReportsItselfDrainedIsNoCapacityEvenToAFreshScheduler() {
        WorkerRegistry fresh = new WorkerRegistry(new SchedulerProperties(1, 100, 30, 0L, 1L, 300, true, 600));
        fresh.heard(new WorkerHeartbeat("w-drained", "cpu", 8L << 30, 8L << 30, 0, List.of(), null, NOW, true, 0), NOW);
        fresh.heard(new WorkerHeartbeat("w-ok", "cpu", 8L << 30, 8L << 30, 0, List.of(), null, NOW), NOW);

        assertThat(fresh.isDrained("w-drained")).isTrue();
        assertThat(fresh.liveWorkers(NOW)).isEqualTo(1);
        assertThat(fresh.idleWorkerIds(NOW)).containsExactly("w-ok");
    }
}
