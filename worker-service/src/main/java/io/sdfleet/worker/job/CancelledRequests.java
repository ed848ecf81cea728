package io.sdfleet.worker.job;

import io.sdfleet.contracts.EventKind;
import io.sdfleet.contracts.JobFinished;
import io.sdfleet.contracts.JobSkipRequested;
import io.sdfleet.contracts.Messaging;
import io.sdfleet.contracts.RequestCancelled;
import io.sdfleet.contracts.WorkerDrain;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Requests their callers gave up on, and single jobs they asked to skip, heard from the events exchange since this
 * worker started (the most recent 10,000 of each): a running job stops at its next step, a queued one is dropped
 * when it arrives.
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
    private final Set<String> skippedJobs = Collections.newSetFromMap(Collections.synchronizedMap(
            new LinkedHashMap<>(64, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > REMEMBERED;
                }
            }));
    /** Jobs some attempt finished (a requeued copy arriving later is dropped). */
    private final Set<String> finishedJobs = Collections.newSetFromMap(Collections.synchronizedMap(
            new LinkedHashMap<>(64, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > REMEMBERED;
                }
            }));
    private final JsonMapper json;
    private final ObjectProvider<Drain> drain;

    public CancelledRequests(JsonMapper json, ObjectProvider<Drain> drain) {
        this.json = json;
        this.drain = drain;
    }

    @RabbitListener(queues = "#{workerControlQueue.name}", ackMode = "AUTO")
    public void onControl(Message message) {
        String key = message.getMessageProperties().getReceivedRoutingKey();
        if (key != null && key.endsWith("." + EventKind.JOB_FINISHED.wireName())) {
            finishedJobs.add(json.readValue(message.getBody(), JobFinished.class).jobId());
        } else if (Messaging.DRAIN.equals(message.getMessageProperties().getType())) {
            drain.getObject().drain(json.readValue(message.getBody(), WorkerDrain.class).reason());
        } else if (EventKind.SKIP.wireName().equals(message.getMessageProperties().getType())) {
            skippedJobs.add(json.readValue(message.getBody(), JobSkipRequested.class).jobId());
        } else {
            ids.add(json.readValue(message.getBody(), RequestCancelled.class).requestId());
        }
    }

    public boolean finished(String jobId) {
        return finishedJobs.contains(jobId);
    }

    public boolean skipped(String jobId) {
        return skippedJobs.contains(jobId);
    }

    public boolean contains(String requestId) {
        return ids.contains(requestId);
    }
}
