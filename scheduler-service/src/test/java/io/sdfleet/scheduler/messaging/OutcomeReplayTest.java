package io.sdfleet.scheduler.messaging;

import io.sdfleet.contracts.EventKind;
import io.sdfleet.contracts.JobFailed;
import io.sdfleet.contracts.JobFinished;
import io.sdfleet.contracts.JobMessage;
import io.sdfleet.contracts.JobSkipped;
import io.sdfleet.scheduler.SchedulerTestBed;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.sdfleet.scheduler.SchedulerTestBed.JSON;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A request a gateway still thinks live, published again by its sweeper, on the machine's RabbitMQ and PostgreSQL:
 * while a job is left nothing is sent; once all are over their outcomes are sent again (finished, skipped, failed
 * with the reason), which is what ends a generation whose gateway missed the events. Was (issue 14, point 2): such a
 * generation stayed "running" for good.
 */
class OutcomeReplayTest {

    private SchedulerTestBed bed;

    @BeforeEach
    void servers() {
        bed = SchedulerTestBed.create("replay");
    }

    @AfterEach
    void cleanUp() throws Exception {
        bed.close();
    }

    @Test
    void aRepublishedRequestWhoseJobsAreOverGetsTheirOutcomesAgainAndOneStillRunningNothing() throws Exception {
        bed.startScheduler();
        String request = bed.request("alice", 3);
        JobMessage first = bed.takeJob(); // released a few at a time, with no worker known
        bed.event(EventKind.JOB_FINISHED, request, new JobFinished(request, first.jobId(), "w1", 1, 1, 1, Instant.now()));
        JobMessage second = bed.takeJob();
        bed.event(EventKind.JOB_SKIPPED, request, new JobSkipped(request, second.jobId(), "w1", 1, Instant.now()));
        JobMessage third = bed.takeJob();
        SchedulerTestBed.await("two jobs over", () -> bed.number(
                "SELECT count(*) FROM scheduler.jobs WHERE request_id = ? AND state IN ('done', 'skipped')", request) == 2);

        bed.event(EventKind.JOB_FAILED, request, new JobFailed(request, third.jobId(), "bad lora", 3, Instant.now()));
        SchedulerTestBed.await("the last job failed", () -> bed.number(
                "SELECT count(*) FROM scheduler.jobs WHERE request_id = ? AND state = 'failed'", request) == 1);
        String running = bed.request("bob", 1);
        JobMessage runningJob = bed.takeJob();
        assertThat(runningJob.requestId()).isEqualTo(running);

        String outcomes = bed.channel.queueDeclare().getQueue();
        for (String id : List.of(request, running)) {
            for (EventKind kind : List.of(EventKind.JOB_FINISHED, EventKind.JOB_SKIPPED, EventKind.JOB_FAILED)) {
                bed.channel.queueBind(outcomes, bed.names.eventsExchange(), kind.routingKey(id));
            }
        }
        bed.request(running, "bob", 1); // its job still runs: nothing to tell
        bed.request(request, "alice", 3); // handled after it, in order
        Map<String, byte[]> replayed = new HashMap<>();
        for (int i = 0; i < 3; i++) {
            var message = bed.take(outcomes);
            replayed.put(message.getProps().getType(), message.getBody());
        }
        JobFinished finished = JSON.readValue(replayed.get(EventKind.JOB_FINISHED.wireName()), JobFinished.class);
        assertThat(finished.jobId()).isEqualTo(first.jobId());
        assertThat(finished.images()).isEqualTo(1);
        JobSkipped skipped = JSON.readValue(replayed.get(EventKind.JOB_SKIPPED.wireName()), JobSkipped.class);
        assertThat(skipped.jobId()).isEqualTo(second.jobId());
        JobFailed failed = JSON.readValue(replayed.get(EventKind.JOB_FAILED.wireName()), JobFailed.class);
        assertThat(failed.jobId()).isEqualTo(third.jobId());
        assertThat(failed.reason()).isEqualTo("bad lora");
        assertThat(bed.ready(outcomes)).as("nothing for the request whose job still runs").isZero();
        assertThat(bed.number("SELECT count(*) FROM scheduler.jobs WHERE request_id = ?", request))
                .as("not planned again").isEqualTo(3);
    }
}
