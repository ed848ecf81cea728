package io.sdfleet.gateway.generation;

import io.sdfleet.contracts.EventKind;
import io.sdfleet.contracts.JobFailed;
import io.sdfleet.contracts.JobFinished;
import io.sdfleet.contracts.JobSkipped;
import io.sdfleet.gateway.ops.GatewayMetrics;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Records the events that change a request's account (images stored, a batch skipped, a job failed for good) in
 * its row, once. They come on one durable queue that every gateway replica takes from, so each is recorded by one
 * of them, and those sent while no gateway runs wait there; a message is acknowledged only after its row is
 * written. The statements are idempotent, so a redelivery changes nothing.
 */
@Component
class GenerationRecorder {

    private final GenerationStore store;
    private final JsonMapper json;
    private final GatewayMetrics metrics;

    GenerationRecorder(GenerationStore store, JsonMapper json, GatewayMetrics metrics) {
        this.store = store;
        this.json = json;
        this.metrics = metrics;
    }

    @RabbitListener(queues = "#{gatewayRecordQueue.name}")
    void onEvent(Message message) {
        String type = message.getMessageProperties().getType();
        EventKind kind = type != null ? EventKind.named(type)
                : EventKind.ofRoutingKey(message.getMessageProperties().getReceivedRoutingKey());
        byte[] body = message.getBody();
        switch (kind) {
            case JOB_FINISHED -> {
                JobFinished e = json.readValue(body, JobFinished.class);
                store.imagesStored(e.requestId(), JobImages.indexesOf(e));
            }
            case JOB_SKIPPED -> {
                JobSkipped e = json.readValue(body, JobSkipped.class);
                store.jobSkipped(e.requestId(), e.jobId(), e.images());
            }
            case JOB_FAILED -> {
                JobFailed e = json.readValue(body, JobFailed.class);
                if (store.failed(e.requestId(), JobImages.failure(e))) {
                    metrics.jobFailed();
                }
            }
            case null, default -> {
            }
        }
    }
}
