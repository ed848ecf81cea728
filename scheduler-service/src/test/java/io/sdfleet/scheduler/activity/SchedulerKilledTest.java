package io.sdfleet.scheduler.activity;

import io.sdfleet.contracts.EventKind;
import io.sdfleet.contracts.JobFinished;
import io.sdfleet.contracts.JobMessage;
import io.sdfleet.scheduler.SchedulerTestBed;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static io.sdfleet.scheduler.SchedulerTestBed.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The active scheduler SIGKILLed, as a process of its own, while it holds a lease open (a released job running) and
 * planned jobs not yet released; PostgreSQL drops its lock with its session, and a new scheduler takes over.
 */
class SchedulerKilledTest {

    private SchedulerTestBed bed;

    @BeforeEach
    void servers() {
        bed = SchedulerTestBed.create("killed");
    }

    @AfterEach
    void cleanUp() throws Exception {
        bed.close();
    }

    @Test
    void aSigkilledActiveSchedulersWorkIsTakenOverAndEveryJobReleasedOnce() throws Exception {
        Path log = Files.createDirectories(Path.of("target")).resolve("killed-scheduler.log");
        Process killed = bed.startSchedulerProcess(log);
        await("the child scheduler active, its queues declared",
                () -> bed.lockHeld() && bed.exists(bed.names.requestsQueue()) && bed.exists(bed.names.jobsQueue()));
        bed.request("alice", 3);
        JobMessage first = bed.takeJob();
        await("the plan", () -> bed.number("SELECT count(*) FROM scheduler.jobs WHERE state = 'pending'") == 2);

        killed.destroyForcibly(); // SIGKILL: no shutdown hook, no goodbye to the broker or PostgreSQL
        assertThat(killed.waitFor()).isNotZero();
        assertThat(bed.ready(bed.names.requestsQueue())).as("nothing handed back: the request was acknowledged").isZero();

        ConfigurableApplicationContext next = bed.startScheduler();
        await("the new scheduler active", () -> next.getBean(Activity.class).isActive());
        List<String> released = new ArrayList<>(List.of(first.jobId()));
        finished(first);
        for (int i = 0; i < 2; i++) {
            JobMessage job = bed.takeJob();
            released.add(job.jobId());
            finished(job);
        }
        assertThat(released).doesNotHaveDuplicates().hasSize(3);
        await("every job done", () -> bed.number("SELECT count(*) FROM scheduler.jobs WHERE state = 'done'") == 3);
        assertThat(bed.ready(bed.names.jobsQueue())).as("nothing released twice").isZero();
    }

    private void finished(JobMessage job) throws Exception {
        bed.event(EventKind.JOB_FINISHED, job.requestId(),
                new JobFinished(job.requestId(), job.jobId(), "w-test", 1, 0.1, 0, Instant.now()));
    }
}
