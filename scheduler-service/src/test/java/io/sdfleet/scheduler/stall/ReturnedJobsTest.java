package io.sdfleet.scheduler.stall;

import com.rabbitmq.client.GetResponse;
import io.sdfleet.contracts.EventKind;
import io.sdfleet.contracts.JobFailed;
import io.sdfleet.contracts.JobMessage;
import io.sdfleet.contracts.JobReturned;
import io.sdfleet.contracts.Messaging;
import io.sdfleet.contracts.ProgressEvent;
import io.sdfleet.scheduler.SchedulerTestBed;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static io.sdfleet.scheduler.SchedulerTestBed.JSON;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A job whose workers die holding it (each time the broker redelivers it and the next worker hands it back unrun),
 * on the machine's RabbitMQ and PostgreSQL: each return is re-released once as the next attempt, a duplicate return
 * changes nothing, and the third loss dead-letters the job and fails its request with the reason.
 */
class ReturnedJobsTest {

    private SchedulerTestBed bed;

    @BeforeEach
    void servers() {
        bed = SchedulerTestBed.create("returned");
    }

    @AfterEach
    void cleanUp() throws Exception {
        bed.close();
    }

    @Test
    void aJobLostWithThreeWorkersIsReleasedOncePerReturnThenDeadLetteredWithTheReason() throws Exception {
        bed.startScheduler();
        String failures = bed.channel.queueDeclare().getQueue();
        bed.channel.queueBind(failures, bed.names.eventsExchange(), EventKind.JOB_FAILED.ofAnyRequest());
        String request = bed.request("alice", 1);
        JobMessage job = bed.takeJob();

        for (int attempt = 1; attempt <= 2; attempt++) {
            String dying = "w-dies-" + attempt;
            taken(request, job, dying);
            JobReturned returned = new JobReturned(job, attempt, "w-next", Instant.now());
            bed.event(EventKind.JOB_RETURNED, request, returned);
            bed.event(EventKind.JOB_RETURNED, request, returned); // the same return again (a redelivered event)
            GetResponse copy = bed.take(bed.names.jobsQueue());
            assertThat(JSON.readValue(copy.getBody(), JobMessage.class).jobId()).isEqualTo(job.jobId());
            assertThat(((Number) copy.getProps().getHeaders().get(Messaging.ATTEMPT_HEADER)).intValue())
                    .as("released again as the next attempt").isEqualTo(attempt + 1);
            // events are handled in order: a copy for the duplicate would be next on the queue, before the next one
        }
        taken(request, job, "w-dies-3");
        bed.event(EventKind.JOB_RETURNED, request, new JobReturned(job, 3, "w-next", Instant.now()));

        GetResponse dead = bed.take(bed.names.jobsDeadLetterQueue());
        assertThat(JSON.readValue(dead.getBody(), JobMessage.class).jobId()).isEqualTo(job.jobId());
        assertThat(((Number) dead.getProps().getHeaders().get(Messaging.ATTEMPT_HEADER)).intValue()).isEqualTo(3);
        JobFailed failed = JSON.readValue(bed.take(failures).getBody(), JobFailed.class);
        assertThat(failed.jobId()).isEqualTo(job.jobId());
        assertThat(failed.attempts()).isEqualTo(3);
        assertThat(failed.reason()).contains("w-dies-3", "stopped without a word", "3 lost");
        SchedulerTestBed.await("the job's row failed", () -> bed.number(
                "SELECT count(*) FROM scheduler.jobs WHERE job_id = ? AND state = 'failed' AND lost_attempts = 3",
                job.jobId()) == 1);
        assertThat(bed.ready(bed.names.jobsQueue())).as("one copy per return, none for the duplicates").isZero();
    }

    /** {@code worker} takes the job (its step-0 progress), as the scheduler records. */
    private void taken(String request, JobMessage job, String worker) throws Exception {
        bed.event(EventKind.PROGRESS, request, new ProgressEvent(request, job.jobId(), worker, 0, 2, 0, Instant.now()));
        SchedulerTestBed.await(worker + " seen running it", () -> bed.number(
                "SELECT count(*) FROM scheduler.jobs WHERE job_id = ? AND worker_id = ?", job.jobId(), worker) == 1);
    }
}
