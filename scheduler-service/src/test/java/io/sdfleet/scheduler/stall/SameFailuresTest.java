package io.sdfleet.scheduler.stall;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static io.sdfleet.scheduler.stall.WorkerHealth.Fault.DEADLINE_OVERRUN;
import static io.sdfleet.scheduler.stall.WorkerHealth.Fault.WORKER_REPORTED;
import static org.assertj.core.api.Assertions.assertThat;

/** An attempt that fails the same way on two different workers is the job's fault. */
class SameFailuresTest {

    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
    private static final String OOM = "java.lang.OutOfMemoryError: CUDA out of memory. Tried to allocate 20.00 MiB";

    private static boolean fault(SameFailures same, String job, String worker, String reason, Instant at) {
        return same.record(job, worker, WORKER_REPORTED, reason, at);
    }

    @Test
    void aJobThatFailsTheSameWayOnThreeWorkersBlamesNone() {
        WorkerHealth health = new WorkerHealth(2, Duration.ofMinutes(10));
        SameFailures same = new SameFailures(health, Duration.ofMinutes(10));
        assertThat(fault(same, "j", "w1", OOM, T0)).isFalse();
        assertThat(health.faultsOf("w1")).as("one worker's failure: its fault so far").isEqualTo(1);
        assertThat(fault(same, "j", "w2", OOM.replace("20.00", "40.00"), T0.plusSeconds(1))).isFalse();
        assertThat(health.faultsOf("w1")).as("withdrawn").isZero();
        assertThat(health.faultsOf("w2")).as("not counted").isZero();
        assertThat(fault(same, "j", "w3", OOM, T0.plusSeconds(2))).isFalse();
        assertThat(health.faultsOf("w3")).as("a known job fault").isZero();
    }

    @Test
    void threeSuchJobsDrainNoWorker() {
        WorkerHealth health = new WorkerHealth(3, Duration.ofMinutes(10));
        SameFailures same = new SameFailures(health, Duration.ofMinutes(10));
        // each poison job is tried on the three workers in turn, as the three requests were
        for (String job : new String[] {"a", "b", "c"}) {
            for (int i = 1; i <= 3; i++) {
                fault(same, job, "w" + i, "java.lang.StackOverflowError", T0.plusSeconds(i));
            }
        }
        for (int i = 1; i <= 3; i++) {
            assertThat(health.faultsOf("w" + i)).isZero();
            assertThat(health.isDrained("w" + i)).isFalse();
        }
    }

    @Test
    void differentFailuresOrOneWorkerAreNoEvidenceAgainstTheJob() {
        WorkerHealth health = new WorkerHealth(3, Duration.ofMinutes(10));
        SameFailures same = new SameFailures(health, Duration.ofMinutes(10));
        fault(same, "j", "w1", OOM, T0);
        fault(same, "j", "w2", "java.io.IOException: model cache unreadable", T0.plusSeconds(1));
        fault(same, "j", "w1", OOM, T0.plusSeconds(2));
        assertThat(health.faultsOf("w1")).as("the same worker twice").isEqualTo(2);
        assertThat(health.faultsOf("w2")).as("another failure").isEqualTo(1);
        fault(same, "other-job", "w2", OOM, T0.plusSeconds(3));
        assertThat(health.faultsOf("w2")).as("the same failure of another job").isEqualTo(2);
    }

    @Test
    void stallsCountTooWithTheWorkersIdMasked() {
        SameFailures same = new SameFailures(new WorkerHealth(3, Duration.ofMinutes(10)), Duration.ofMinutes(10));
        assertThat(same.jobsFault("j", "w1", DEADLINE_OVERRUN, "worker w1 overran the deadline of 150 s", T0)).isEmpty();
        assertThat(same.jobsFault("j", "w2", WORKER_REPORTED, "worker w2 overran the deadline of 150 s", T0))
                .as("another kind of fault").isEmpty();
        assertThat(same.jobsFault("j", "w2", DEADLINE_OVERRUN, "worker w2 overran the deadline of 170 s", T0))
                .hasValue(new SameFailures.Blame("w1", T0));
    }

    @Test
    void evidenceIsForgottenWhenTheJobIsOverOrOutsideTheWindow() {
        SameFailures same = new SameFailures(new WorkerHealth(3, Duration.ofMinutes(10)), Duration.ofMinutes(10));
        same.jobsFault("done", "w1", WORKER_REPORTED, OOM, T0);
        same.over("done");
        assertThat(same.jobsFault("done", "w2", WORKER_REPORTED, OOM, T0)).isEmpty();
        same.jobsFault("old", "w1", WORKER_REPORTED, OOM, T0);
        assertThat(same.jobsFault("old", "w2", WORKER_REPORTED, OOM, T0.plus(Duration.ofMinutes(11)))).isEmpty();
        same.over("done");
        same.over("old");
        assertThat(same.jobsRemembered()).isZero();
    }
}
