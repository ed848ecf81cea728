package io.sdfleet.worker.job;

import io.sdfleet.contracts.RequestCancelled;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Requests their callers gave up on, heard from the events exchange since this worker started (the most recent
 * 10,000): a running job of one stops at its next step, a queued one is dropped when it arrives.
 */
@Component
public class CancelledRequests {

    private static final int REMEMBERED = 10_000;
    private final Set<String> ids = Collections.newSetFromMap(Collections.synchronizedMap(
            new LinkedHashMap<>(64, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > REMEMBERED;
                }
            }));
    private final JsonMapper json;

    public CancelledRequests(JsonMapper json) {
        this.json = json;
    }

    @RabbitListener(queues = "#{workerControlQueue.name}", ackMode = "AUTO")
    public void onCancelled(Message message) {
        ids.add(json.readValue(message.getBody(), RequestCancelled.class).requestId());
    }

    public boolean contains(String requestId) {
        return ids.contains(requestId);
    }
}
