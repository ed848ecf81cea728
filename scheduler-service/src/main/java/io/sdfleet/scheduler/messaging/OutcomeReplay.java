package io.sdfleet.scheduler.messaging;

import io.sdfleet.contracts.EventKind;
import io.sdfleet.contracts.JobFailed;
import io.sdfleet.contracts.JobFinished;
import io.sdfleet.contracts.JobSkipped;
import io.sdfleet.contracts.Messaging;
import io.sdfleet.scheduler.state.SchedulerStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import java.time.Instant;
import java.util.List;

/**
 * A gateway that still thinks a request live long after anything happened to it publishes it again (its sweeper).
 * A request planned here whose jobs are all over then gets its jobs' outcomes sent again, persistent and confirmed:
 * images stored, batches skipped, failures with their reasons, which the gateway records once and so ends the
 * request. One with jobs still to run needs nothing: they will report. (One never planned is planned as new.)
 */
@Component
class OutcomeReplay {

    private static final Logger log = LoggerFactory.getLogger(OutcomeReplay.class);
    /** Who is named as having run a job when its outcome is told again. */
    private static final String REPLAYED_BY = "scheduler";

    private final SchedulerStore store;
    private final RabbitTemplate rabbit;
    private final Messaging.Names names;
    private final JsonMapper json;

    OutcomeReplay(SchedulerStore store, RabbitTemplate rabbit, Messaging.Names names, JsonMapper json) {
        this.store = store;
        this.rabbit = rabbit;
        this.names = names;
        this.json = json;
    }

    /** @return whether the outcomes were sent (every job of the request is over) */
    boolean replayIfOver(String requestId) {
        List<SchedulerStore.Outcome> outcomes = store.outcomes(requestId);
        if (outcomes.isEmpty() || !outcomes.stream().allMatch(SchedulerStore.Outcome::over)) {
            return false;
        }
        Instant now = Instant.now();
        for (SchedulerStore.Outcome o : outcomes) {
            int images = o.job().seeds().size();
            switch (o.state()) {
                case "done" -> send(requestId, EventKind.JOB_FINISHED,
                        new JobFinished(requestId, o.job().jobId(), REPLAYED_BY, images, 0, 0, now));
                case "skipped" -> send(requestId, EventKind.JOB_SKIPPED,
                        new JobSkipped(requestId, o.job().jobId(), REPLAYED_BY, images, now));
                case "failed" -> send(requestId, EventKind.JOB_FAILED,
                        new JobFailed(requestId, o.job().jobId(), o.reason(), o.attempt(), now));
                default -> { // cancelled: the gateway recorded the cancel before it told anyone
                }
            }
        }
        log.info("request {}: its {} jobs are over; their outcomes sent again", requestId, outcomes.size());
        return true;
    }

    private void send(String requestId, EventKind kind, Object event) {
        MessageProperties props = new MessageProperties();
        props.setContentType(MessageProperties.CONTENT_TYPE_JSON);
        props.setType(kind.wireName());
        props.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        Message message = new Message(json.writeValueAsBytes(event), props);
        rabbit.invoke(ops -> {
            ops.send(names.eventsExchange(), kind.routingKey(requestId), message);
            ops.waitForConfirmsOrDie(10_000);
            return null;
        });
    }
}
