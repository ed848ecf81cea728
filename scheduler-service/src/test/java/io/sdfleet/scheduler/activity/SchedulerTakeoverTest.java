package io.sdfleet.scheduler.activity;

import io.sdfleet.contracts.EventKind;
import io.sdfleet.contracts.JobFinished;
import io.sdfleet.contracts.JobMessage;
import io.sdfleet.scheduler.SchedulerTestBed;
import io.sdfleet.scheduler.release.FairQueue;
import io.sdfleet.scheduler.stall.StallProperties;
import io.sdfleet.scheduler.stall.StallWatcher;
import io.sdfleet.scheduler.stall.WorkerHealth;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static io.sdfleet.scheduler.SchedulerTestBed.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Schedulers restarted and run as two, on the machine's RabbitMQ and PostgreSQL. No worker is known, so each active
 * scheduler keeps exactly one job released (queue-margin 1) until this test, playing the worker, says it finished:
 * every release can be seen and counted.
 */
class SchedulerTakeoverTest {

    private SchedulerTestBed bed;

    @BeforeEach
    void servers() {
        bed = SchedulerTestBed.create("takeover");
    }

    @AfterEach
    void cleanUp() throws Exception {
        bed.close();
    }

    /**
     * Was: a request stayed unacknowledged until its last job was released (issue 14, point 4): closing the scheduler
     * handed it back to the broker, and the fair queue and usage were lost with the process.
     */
    @Test
    void aRestartedSchedulerPicksUpPlannedJobsWithTheirUsageAndReleasesEachOnce() throws Exception {
        ConfigurableApplicationContext first = bed.startScheduler();
        String alices = bed.request("alice", 3);
        JobMessage alice0 = bed.takeJob();
        assertThat(alice0.requestId()).isEqualTo(alices);
        String bobs = bed.request("bob", 1);
        await("bob's plan", () -> bed.number("SELECT count(*) FROM scheduler.jobs WHERE request_id = ?", bobs) == 1);
        assertThat(bed.number("SELECT count(*) FROM scheduler.jobs WHERE state = 'pending'")).isEqualTo(3);
        first.close();
        assertThat(bed.ready(bed.names.requestsQueue())).as("acknowledged once planned: nothing handed back").isZero();
        assertThat(bed.ready(bed.names.jobsQueue())).as("nothing released but alice's first").isZero();

        ConfigurableApplicationContext second = bed.startScheduler();
        assertThat(second.getBean(Activity.class).isActive()).isTrue();
        FairQueue queue = second.getBean(FairQueue.class);
        assertThat(queue.size()).isEqualTo(3);
        assertThat(queue.usageOf("alice")).as("usage restored").isPositive();
        assertThat(queue.usageOf("bob")).isZero();

        List<String> released = new ArrayList<>(List.of(alice0.jobId()));
        finished(alice0);
        List<String> users = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            JobMessage job = bed.takeJob();
            released.add(job.jobId());
            users.add(job.user());
            finished(job);
        }
        assertThat(users).as("bob, with no usage, before alice's second job").startsWith("bob");
        assertThat(released).doesNotHaveDuplicates().hasSize(4);
        await("every job done", () -> bed.number("SELECT count(*) FROM scheduler.jobs WHERE state = 'done'") == 4);
        assertThat(bed.ready(bed.names.jobsQueue())).as("nothing released twice").isZero();
        assertThat(bed.ready(bed.names.requestsQueue())).isZero();
    }

    @Test
    void ofTwoSchedulersOnlyTheActiveOneReleasesAndTheOtherTakesOverWhenItStops() throws Exception {
        ConfigurableApplicationContext a = bed.startScheduler();
        ConfigurableApplicationContext b = bed.startScheduler();
        assertThat(a.getBean(Activity.class).isActive()).isTrue();
        assertThat(b.getBean(Activity.class).isActive()).as("a standby").isFalse();

        bed.request("alice", 4);
        List<String> released = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            JobMessage job = bed.takeJob();
            released.add(job.jobId());
            finished(job);
        }
        assertThat(b.getBean(FairQueue.class).size()).as("the standby holds nothing").isZero();
        JobMessage third = bed.takeJob(); // released by a, still running when a goes
        released.add(third.jobId());
        a.close();
        await("b takes over", () -> b.getBean(Activity.class).isActive());
        finished(third);
        JobMessage fourth = bed.takeJob();
        released.add(fourth.jobId());
        finished(fourth);

        assertThat(released).doesNotHaveDuplicates().hasSize(4);
        await("every job done", () -> bed.number("SELECT count(*) FROM scheduler.jobs WHERE state = 'done'") == 4);
        assertThat(bed.ready(bed.names.jobsQueue())).as("nothing released twice").isZero();
    }

    /** Was: the faults counted towards draining a worker lived in the scheduler's memory only (issue 14). */
    @Test
    void workerFaultsCountedByOneSchedulerStillCountForTheNext() throws Exception {
        ConfigurableApplicationContext first = bed.startScheduler();
        int toDrain = first.getBean(StallProperties.class).faultsToDrain();
        Instant now = Instant.now();
        for (int i = 0; i < toDrain - 1; i++) {
            first.getBean(StallWatcher.class).workerFault(null, "w-crashy", WorkerHealth.Fault.DEADLINE_OVERRUN,
                    "overran", now.plusMillis(i));
        }
        first.close();

        ConfigurableApplicationContext second = bed.startScheduler();
        WorkerHealth health = second.getBean(WorkerHealth.class);
        assertThat(health.faultsOf("w-crashy")).as("restored").isEqualTo(toDrain - 1);
        second.getBean(StallWatcher.class).workerFault(null, "w-crashy", WorkerHealth.Fault.DEADLINE_OVERRUN,
                "overran", now.plusSeconds(1));
        assertThat(health.isDrained("w-crashy")).as("the next fault drains it").isTrue();
        assertThat(bed.number("SELECT count(*) FROM scheduler.drained_workers WHERE worker_id = 'w-crashy'")).isEqualTo(1);
        health.undrained("w-crashy");
        assertThat(bed.number("SELECT count(*) FROM scheduler.worker_faults WHERE worker_id = 'w-crashy'"))
                .as("a fresh process starts over").isZero();
    }

    private void finished(JobMessage job) throws Exception {
        bed.event(EventKind.JOB_FINISHED, job.requestId(),
                new JobFinished(job.requestId(), job.jobId(), "w-test", 1, 0.1, 0, Instant.now()));
    }
}
