package io.sdfleet.scheduler.stall;

import io.sdfleet.contracts.JobMessage;
import io.sdfleet.request.Batch;
import io.sdfleet.request.GenerationParameters;
import io.sdfleet.request.HiresFix;
import io.sdfleet.request.ImageSize;
import io.sdfleet.request.Noise;
import io.sdfleet.request.Prompt;
import io.sdfleet.request.Sampling;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class StallTest {

    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

    private static JobMessage job(int size, int steps, int images) {
        GenerationParameters p = new GenerationParameters(new Prompt("x", "", 1),
                new ImageSize(size, size), new Batch(images, 1), Noise.of(1),
                new Sampling("Euler", "Automatic", steps, 7));
        return new JobMessage("r-0", "r", "alice", 0, List.of(1L), p);
    }

    @Test
    void deadlinesFollowAiHordesFormula() {
        StallProperties horde = StallProperties.defaults();
        // 30 s + 2 s × 20 steps × 1 (512²) = 70 s, raised to the 150 s minimum
        assertThat(Deadlines.of(job(512, 20, 1), horde)).isEqualTo(Duration.ofSeconds(150));
        // 1024²: 4 × 512²; 50 steps: 30 + 2 × 50 × 4 = 430 s
        assertThat(Deadlines.of(job(1024, 50, 1), horde)).isEqualTo(Duration.ofSeconds(430));
        // every image of the batch counts: 30 + 2 × 50 × 1 × 4 = 430 s
        assertThat(Deadlines.of(job(512, 50, 4), horde)).isEqualTo(Duration.ofSeconds(430));
        // the hires pass at 1024² with 10 steps: 30 + 2 × (20 × 1 + 10 × 4) = 150 → 150; 30 steps: 30 + 2 × (20 + 120) = 310
        HiresFix hires = new HiresFix(2.0, 0, 0, "Latent", 30, 0.7, null, null, null, null);
        GenerationParameters p = new GenerationParameters(new Prompt("x", "", 1),
                new ImageSize(512, 512), new Batch(1, 1), Noise.of(1),
                new Sampling("Euler", "Automatic", 20, 7), hires, null, null, false);
        assertThat(Deadlines.of(new JobMessage("r-0", "r", "a", 0, List.of(1L), p), horde)).isEqualTo(Duration.ofSeconds(310));
    }

    @Test
    void deadlineConstantsAreConfigurable() {
        StallProperties small = new StallProperties(1, 0.5, 2, 3, 100, 2, 60, 120);
        assertThat(Deadlines.of(job(64, 4, 1), small)).isEqualTo(Duration.ofSeconds(2)); // 1 + 0.5 × 4 / 64 → min 2
        assertThat(Deadlines.of(job(512, 10, 1), small)).isEqualTo(Duration.ofSeconds(6)); // 1 + 0.5 × 10
    }

    @Test
    void unsetPropertiesTakeAiHordesDefaults() {
        assertThat(new StallProperties(-1, -1, -1, 0, 0, 0, 0, 0)).isEqualTo(StallProperties.defaults());
    }

    /**
     * Was: the scheduler requeued a copy after 30 s of silence while the broker also redelivered the dead worker's
     * job, so two copies ran (issue 14, point 5). Now silence is blamed once and the job waits for the broker to hand
     * it back (JobReturned); then the next attempt is released and the old worker's late reports are ignored.
     */
    @Test
    void aJobWhoseWorkerFallsSilentIsBlamedOnceAndWaitsForTheBrokersReturn() {
        JobLeases leases = new JobLeases(new StallProperties(30, 2, 150, 5, 1000, 3, 3600, 120));
        Map<String, Instant> heard = new HashMap<>();
        JobMessage job = job(64, 4, 1);
        leases.released(job, 1);
        assertThat(leases.check(T0, heard::get, 3)).as("waiting on the queue: no deadline").isEmpty();
        heard.put("w1", T0);
        assertThat(leases.running(job.jobId(), "w1", T0)).isTrue();
        assertThat(leases.check(T0.plusSeconds(5), heard::get, 3)).isEmpty();

        List<JobLeases.Stalled> stalled = leases.check(T0.plusSeconds(6), heard::get, 3);
        assertThat(stalled).singleElement().satisfies(s -> {
            assertThat(s.workerId()).isEqualTo("w1");
            assertThat(s.fault()).isEqualTo(WorkerHealth.Fault.LOST_HEARTBEATS);
            assertThat(s.takenBack()).as("no copy: the broker redelivers a dead worker's job").isFalse();
        });
        assertThat(leases.check(T0.plusSeconds(60), heard::get, 3)).as("blamed once").isEmpty();
        assertThat(leases.holderOf(job.jobId())).isEqualTo("w1");

        assertThat(leases.returned(job.jobId(), 2)).as("blamed already for its silence").isNull();
        assertThat(leases.workerOf(job.jobId())).isNull();
        leases.released(job, 2); // the next attempt
        leases.running(job.jobId(), "w1", T0.plusSeconds(61)); // the old attempt's late progress
        assertThat(leases.workerOf(job.jobId())).isNull();
        heard.put("w2", T0.plusSeconds(61));
        leases.running(job.jobId(), "w2", T0.plusSeconds(61));
        assertThat(leases.workerOf(job.jobId())).isEqualTo("w2");
        leases.over(job.jobId()); // whichever attempt finishes first ends it
        assertThat(leases.watching(job.jobId())).isFalse();
    }

    @Test
    void aReturnedJobBlamesTheWorkerThatHeldItsLease() {
        JobLeases leases = new JobLeases(StallProperties.defaults());
        JobMessage job = job(64, 4, 1);
        leases.released(job, 1);
        leases.running(job.jobId(), "w1", T0);
        assertThat(leases.returned(job.jobId(), 2)).isEqualTo("w1");
        assertThat(leases.holderOf(job.jobId())).isNull();
    }

    /** A CPU worker measured at 512² × 20 steps in 60 s, on a default A1111 request (512², 50 steps: 150 s there). */
    @Test
    void aSlowWorkersDeadlineFollowsItsMeasuredSpeed() {
        double cpu = 512.0 * 512 * 20 / 60;
        StallProperties p = StallProperties.defaults();
        JobMessage a1111Default = job(512, 50, 1);
        assertThat(Deadlines.of(a1111Default, p)).as("AI Horde's").isEqualTo(Duration.ofSeconds(150));
        assertThat(Deadlines.of(a1111Default, p, cpu)).as("30 s + 3 × 150 s").isEqualTo(Duration.ofSeconds(480));

        JobLeases leases = new JobLeases(p, w -> w.equals("cpu-1") ? cpu : 0);
        Map<String, Instant> heard = new HashMap<>();
        leases.released(a1111Default, 1);
        leases.running(a1111Default.jobId(), "cpu-1", T0);
        heard.put("cpu-1", T0.plusSeconds(400));
        assertThat(leases.check(T0.plusSeconds(400), heard::get, 3))
                .as("no progress reported, but within its own deadline (AI Horde's 150 s would have passed)").isEmpty();
        heard.put("cpu-1", T0.plusSeconds(481));
        assertThat(leases.check(T0.plusSeconds(481), heard::get, 3)).singleElement()
                .satisfies(s -> assertThat(s.takenBack()).isTrue());
    }

    @Test
    void aSlowWorkerReportingProgressIsNeverOverrun() {
        double cpu = 512.0 * 512 * 20 / 60;
        JobLeases leases = new JobLeases(StallProperties.defaults(), w -> cpu);
        Map<String, Instant> heard = new HashMap<>();
        JobMessage job = job(512, 50, 1);
        leases.released(job, 1);
        leases.progressed(job.jobId(), "cpu-1", T0);
        for (int s = 1; s <= 100; s++) { // slower than ever measured: a step every 10 s, twice its 480 s deadline
            Instant now = T0.plusSeconds(10L * s);
            heard.put("cpu-1", now);
            leases.progressed(job.jobId(), "cpu-1", now);
            assertThat(leases.check(now.plusSeconds(5), heard::get, 3)).as("step " + s).isEmpty();
        }
    }

    /** A GPU measured at 80 × 512² pixel-steps/s makes four 1024² 50-step images in 10 s. */
    @Test
    void aFastWorkerWithNoProgressOverrunsAtItsOwnDeadline() {
        double gpu = 80.0 * 512 * 512;
        StallProperties p = new StallProperties(30, 2, 0, 3600, 1000, 3, 3600, 120);
        JobMessage large = job(1024, 50, 4); // AI Horde's: 30 + 2 × 50 × 16 = 1630 s
        assertThat(Deadlines.of(large, p)).isEqualTo(Duration.ofSeconds(1630));
        assertThat(Deadlines.of(large, p, gpu)).as("30 s + 3 × 10 s").isEqualTo(Duration.ofSeconds(60));

        JobLeases leases = new JobLeases(p, w -> gpu);
        Map<String, Instant> heard = new HashMap<>();
        leases.released(large, 1);
        leases.progressed(large.jobId(), "gpu-1", T0); // step 0, then nothing
        heard.put("gpu-1", T0.plusSeconds(59));
        assertThat(leases.check(T0.plusSeconds(59), heard::get, 3)).isEmpty();
        heard.put("gpu-1", T0.plusSeconds(180));
        assertThat(leases.check(T0.plusSeconds(180), heard::get, 3)).singleElement().satisfies(s -> {
            assertThat(s.fault()).isEqualTo(WorkerHealth.Fault.DEADLINE_OVERRUN);
            assertThat(s.takenBack()).isTrue();
            assertThat(s.nextAttempt()).isEqualTo(2);
        });
    }

    @Test
    void aRestoredLeaseGivesItsWorkerTheFullSilenceAllowanceFromTheRestore() {
        JobLeases leases = new JobLeases(new StallProperties(30, 2, 150, 5, 1000, 3, 3600, 120));
        JobMessage job = job(64, 4, 1);
        Instant restoredAt = T0.plusSeconds(100); // a scheduler that took over, having heard no one yet
        leases.restore(job, 2, null, "w1", T0, T0, restoredAt);
        assertThat(leases.workerOf(job.jobId())).isEqualTo("w1");
        assertThat(leases.check(restoredAt.plusSeconds(4), w -> null, 3)).isEmpty();
        assertThat(leases.check(restoredAt.plusSeconds(6), w -> null, 3)).singleElement()
                .extracting(JobLeases.Stalled::fault).isEqualTo(WorkerHealth.Fault.LOST_HEARTBEATS);
    }

    @Test
    void anAttemptOverrunningItsDeadlineIsTakenAway() {
        JobLeases leases = new JobLeases(new StallProperties(1, 0, 2, 30, 1000, 3, 3600, 120));
        Map<String, Instant> heard = new HashMap<>();
        JobMessage job = job(64, 4, 1);
        leases.released(job, 1);
        leases.running(job.jobId(), "w1", T0);
        heard.put("w1", T0.plusSeconds(3)); // still heart-beating
        assertThat(leases.check(T0.plusSeconds(2), heard::get, 3)).isEmpty();
        assertThat(leases.check(T0.plusMillis(2001), heard::get, 3)).singleElement()
                .satisfies(s -> assertThat(s.fault()).isEqualTo(WorkerHealth.Fault.DEADLINE_OVERRUN));
    }

    /** Was: a CPU worker's 173 s default request overran the GPU-sized deadline, was requeued and drained it (issue 14). */
    @Test
    void aJobPastItsDeadlineThatStillReportsStepsIsSlowNotStuck() {
        JobLeases leases = new JobLeases(new StallProperties(1, 0, 2, 30, 1000, 3, 3600, 10));
        Map<String, Instant> heard = new HashMap<>();
        JobMessage job = job(64, 4, 1);
        leases.released(job, 1);
        leases.progressed(job.jobId(), "w1", T0); // step 0
        for (int s = 1; s <= 60; s++) { // a step every 5 s, far past the 2 s deadline
            Instant now = T0.plusSeconds(5L * s);
            heard.put("w1", now);
            leases.progressed(job.jobId(), "w1", now);
            assertThat(leases.check(now.plusSeconds(4), heard::get, 3)).as("step " + s).isEmpty();
        }
        Instant lastStep = T0.plusSeconds(300);
        heard.put("w1", lastStep.plusSeconds(11)); // still heart-beating, but no step for 11 s
        assertThat(leases.check(lastStep.plusSeconds(11), heard::get, 3)).singleElement()
                .satisfies(s -> assertThat(s.fault()).isEqualTo(WorkerHealth.Fault.DEADLINE_OVERRUN));
    }

    @Test
    void aJobStallingOnEveryAttemptIsGivenUp() {
        JobLeases leases = new JobLeases(new StallProperties(1, 0, 2, 30, 1000, 3, 3600, 120));
        JobMessage job = job(64, 4, 1);
        leases.released(job, 3);
        leases.running(job.jobId(), "w1", T0);
        assertThat(leases.check(T0.plusSeconds(5), w -> T0.plusSeconds(5), 3)).singleElement()
                .satisfies(s -> assertThat(s.nextAttempt()).isEqualTo(4));
        assertThat(leases.watching(job.jobId())).isFalse();
    }

    @Test
    void cancelledRequestsAreNotWatched() {
        JobLeases leases = new JobLeases(StallProperties.defaults());
        JobMessage job = job(64, 4, 1);
        leases.released(job, 1);
        leases.cancelled(job.requestId());
        assertThat(leases.size()).isZero();
        leases.released(job, 1); // released from the fair queue after the cancellation
        assertThat(leases.size()).isZero();
    }

    @Test
    void aWorkerReportingItsOwnFaultGivesTheJobUp() {
        JobLeases leases = new JobLeases(StallProperties.defaults());
        JobMessage job = job(64, 4, 1);
        leases.released(job, 1);
        leases.running(job.jobId(), "w1", T0);
        assertThat(leases.workerGaveUp(job.jobId(), "w1", 2)).isTrue();
        assertThat(leases.workerOf(job.jobId())).isNull();
        assertThat(leases.check(T0.plusSeconds(1000), w -> null, 3)).isEmpty();
    }

    @Test
    void workerFaultsDrainAWorkerJobFaultsNever() {
        WorkerHealth health = new WorkerHealth(3, Duration.ofMinutes(10));
        for (int i = 0; i < 10; i++) {
            assertThat(health.record("healthy", WorkerHealth.Fault.JOB_FAILED, T0.plusSeconds(i))).isFalse();
        }
        assertThat(health.isDrained("healthy")).isFalse();
        assertThat(health.faultsOf("healthy")).isZero();

        assertThat(health.record("sick", WorkerHealth.Fault.LOST_HEARTBEATS, T0)).isFalse();
        assertThat(health.record("sick", WorkerHealth.Fault.DEADLINE_OVERRUN, T0.plusSeconds(1))).isFalse();
        assertThat(health.record("sick", WorkerHealth.Fault.WORKER_REPORTED, T0.plusSeconds(2))).as("third fault drains").isTrue();
        assertThat(health.isDrained("sick")).isTrue();
        assertThat(health.record("sick", WorkerHealth.Fault.LOST_HEARTBEATS, T0.plusSeconds(3))).as("only once").isFalse();
    }

    @Test
    void faultsOutsideTheWindowAreForgotten() {
        WorkerHealth health = new WorkerHealth(2, Duration.ofMinutes(10));
        assertThat(health.record("w", WorkerHealth.Fault.LOST_HEARTBEATS, T0)).isFalse();
        assertThat(health.record("w", WorkerHealth.Fault.LOST_HEARTBEATS, T0.plus(Duration.ofMinutes(11)))).isFalse();
        assertThat(health.record("w", WorkerHealth.Fault.LOST_HEARTBEATS, T0.plus(Duration.ofMinutes(12)))).isTrue();
    }

    @Test
    void aJobWaitingOnAWorkersOwnQueueIsStrandedWhenThatWorkerFallsSilentIsDrainedOrNeverTakesIt() {
        JobLeases leases = new JobLeases(new StallProperties(30, 2, 150, 5, 1000, 3, 3600, 120));
        Map<String, Instant> heard = new HashMap<>(Map.of("w1", T0, "w2", T0));
        Set<String> drained = new HashSet<>();
        JobMessage job = job(64, 4, 1);
        leases.released(job, 1, "w1");
        assertThat(leases.occupied("w1")).isTrue();
        assertThat(leases.occupied("w2")).isFalse();
        assertThat(leases.stranded(T0.plusSeconds(4), heard::get, drained::contains)).isEmpty();
        // w1 silent past heartbeat-lost (5 s): stranded, as the same attempt (it never ran), until moved
        assertThat(leases.stranded(T0.plusSeconds(6), heard::get, drained::contains)).singleElement()
                .satisfies(s -> {
                    assertThat(s.workerId()).isEqualTo("w1");
                    assertThat(s.attempt()).isEqualTo(1);
                });
        leases.movedToShared("w1");
        assertThat(leases.occupied("w1")).isFalse();
        assertThat(leases.stranded(T0.plusSeconds(7), heard::get, drained::contains)).isEmpty();

        // drained: stranded at once; taken (seen running): never stranded
        JobMessage second = new JobMessage("r2-0", "r2", "alice", 0, List.of(2L), job.parameters());
        leases.released(second, 1, "w2");
        drained.add("w2");
        assertThat(leases.stranded(T0.plusSeconds(1), heard::get, drained::contains)).extracting(JobLeases.Stranded::job)
                .containsExactly(second);
        leases.running(second.jobId(), "w2", T0.plusSeconds(1));
        assertThat(leases.occupied("w2")).as("running it").isTrue();
        assertThat(leases.stranded(T0.plusSeconds(100), heard::get, drained::contains)).isEmpty();

        // alive but never taking it for its whole deadline (150 s here): stranded too
        JobMessage third = new JobMessage("r3-0", "r3", "alice", 0, List.of(3L), job.parameters());
        Instant released = Instant.now();
        leases.released(third, 1, "w3");
        Map<String, Instant> alive = Map.of("w3", released.plusSeconds(200));
        assertThat(leases.stranded(released.plusSeconds(100), alive::get, w -> false)).isEmpty();
        assertThat(leases.stranded(released.plusSeconds(151), alive::get, w -> false)).extracting(JobLeases.Stranded::job)
                .containsExactly(third);
    }

    @Test
    void aWorkerSeenTakingAJobBeforeItsFirstHeartbeatGetsTheFullSilenceAllowance() {
        // A freshly started worker may take a job (step-0 progress) before this scheduler hears its first heartbeat.
        JobLeases leases = new JobLeases(new StallProperties(30, 2, 150, 5, 1000, 3, 3600, 120));
        Map<String, Instant> heard = new HashMap<>();
        JobMessage job = job(64, 4, 1);
        leases.released(job, 1);
        leases.running(job.jobId(), "new-worker", T0);
        assertThat(leases.check(T0.plusSeconds(4), heard::get, 3)).as("never heard, but seen 4 s ago").isEmpty();
        heard.put("new-worker", T0.plusSeconds(3));
        assertThat(leases.check(T0.plusSeconds(7), heard::get, 3)).isEmpty();
        assertThat(leases.check(T0.plusSeconds(9), heard::get, 3)).singleElement()
                .extracting(JobLeases.Stalled::fault).isEqualTo(WorkerHealth.Fault.LOST_HEARTBEATS);
    }
}
