package io.sdfleet.gateway.generation;

import io.sdfleet.contracts.EventKind;
import io.sdfleet.contracts.GenerationRequested;
import io.sdfleet.contracts.JobFailed;
import io.sdfleet.contracts.JobFinished;
import io.sdfleet.contracts.JobSkipRequested;
import io.sdfleet.contracts.JobSkipped;
import io.sdfleet.contracts.Messaging;
import io.sdfleet.contracts.PreviewEvent;
import io.sdfleet.contracts.ProgressEvent;
import io.sdfleet.contracts.RequestCancelled;
import io.sdfleet.gateway.ops.GatewayMetrics;
import io.sdfleet.request.GenerationParameters;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Accepts generations and follows them. A request is accepted only once the broker confirmed it is durably on the
 * requests queue; from then on the scheduler and workers own it, and their events update the state kept here.
 */
@Service
public class Generations {

    private final RabbitTemplate rabbit;
    private final Messaging.Names names;
    private final JsonMapper json;
    private final Map<String, Generation> byId = new ConcurrentHashMap<>();
    private final Map<String, Instant> overSince = new ConcurrentHashMap<>();
    private final GenerationStore store;
    private GatewayMetrics metrics;

    public Generations(RabbitTemplate rabbit, Messaging.Names names, JsonMapper json, GenerationStore store) {
        this.rabbit = rabbit;
        this.names = names;
        this.json = json;
        this.store = store;
        // Requests a previous gateway process accepted and did not see to the end.
        for (Generation.Snapshot s : store.active()) {
            byId.put(s.id(), Generation.restore(s));
        }
    }

    /**
     * Forgets generations that have been over for {@code keep}: PostgreSQL keeps them (and their images are in
     * storage), so a later read loads them again; memory then holds only what is live, not every request ever seen.
     * Called periodically ({@link ForgetFinished}); {@code overSince} remembers when each was first seen over.
     */
    public void forgetOver(Instant now, Duration keep) {
        for (Generation g : byId.values()) {
            if (g.isOver()) {
                overSince.putIfAbsent(g.id(), now);
            }
        }
        overSince.entrySet().removeIf(e -> {
            if (!byId.containsKey(e.getKey())) {
                return true;
            }
            if (e.getValue().plus(keep).isBefore(now)) {
                byId.remove(e.getKey());
                return true;
            }
            return false;
        });
    }

    /** Generations held in memory now (for tests and meters). */
    public int inMemory() {
        return byId.size();
    }

    public Generation submit(String user, GenerationParameters parameters) {
        return submit(user, parameters, 0);
    }

    /** With a priority among the user's own requests (higher first; native API only). */
    public Generation submit(String user, GenerationParameters parameters, int priority) {
        String id = UUID.randomUUID().toString();
        Generation generation = new Generation(id, user, parameters, Instant.now());
        store.insert(generation); // before it is queued: a crash after publishing must not lose it
        byId.put(id, generation);
        MessageProperties props = new MessageProperties();
        props.setContentType(MessageProperties.CONTENT_TYPE_JSON);
        props.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        props.setMessageId(id);
        byte[] body = json.writeValueAsBytes(new GenerationRequested(id, user, generation.acceptedAt(), parameters, priority));
        try {
            rabbit.invoke(ops -> {
                ops.send("", names.requestsQueue(), new Message(body, props));
                ops.waitForConfirmsOrDie(10_000);
                return null;
            });
        } catch (RuntimeException e) {
            byId.remove(id);
            store.delete(id);
            throw e;
        }
        generation.queued(1 + store.ahead(generation.acceptedAt()));
        if (metrics != null) {
            metrics.generationAccepted();
        }
        return generation;
    }

    /** Operations hook (metrics), set by Spring after construction. */
    @Autowired
    void metrics(GatewayMetrics metrics) {
        this.metrics = metrics;
    }

    /** A generation of this process, or one an earlier gateway process accepted (read from the store). */
    public Optional<Generation> find(String id) {
        Generation known = byId.get(id);
        if (known != null) {
            return Optional.of(known);
        }
        return store.find(id).map(s -> byId.computeIfAbsent(id, k -> Generation.restore(s)));
    }

    /** A user's requests, newest first (from the store, so earlier gateway processes' too). */
    public List<Generation.Snapshot> listOf(String user, Instant before, int limit) {
        return store.ofUser(user, before, limit).stream()
                .map(s -> byId.containsKey(s.id()) ? byId.get(s.id()).snapshot() : s).toList();
    }

    /** For a queued request: 1 + the unfinished requests accepted before it (all users); 0 once it runs or is over. */
    public long queuePosition(Generation g) {
        return g.state() == Generation.State.QUEUED ? 1 + store.ahead(g.acceptedAt()) : 0;
    }

    /** Generations not over yet, for reconciliation with storage. */
    public List<Generation> active() {
        return byId.values().stream().filter(g -> !g.isOver()).toList();
    }

    /** Persists what changed (state, counts, stored indexes). */
    void saved(Generation g) {
        store.save(g);
    }

    /** The caller's most recent generation that is not over, for A1111's per-caller progress. */
    public Optional<Generation> currentOf(String user) {
        return byId.values().stream()
                .filter(g -> g.user().equals(user))
                .filter(g -> g.state() == Generation.State.QUEUED || g.state() == Generation.State.RUNNING)
                .max(Comparator.comparing(Generation::acceptedAt));
    }

    /** Jobs (batches) the user still has queued or running, for the concurrent-jobs limit. */
    public int activeJobsOf(String user) {
        return byId.values().stream()
                .filter(g -> g.user().equals(user))
                .filter(g -> g.state() == Generation.State.QUEUED || g.state() == Generation.State.RUNNING)
                .mapToInt(g -> (g.imagesRemaining() + g.parameters().batch().size() - 1) / g.parameters().batch().size())
                .sum();
    }

    /** Asks the worker running this generation's current batch to drop it (A1111's skip); false when none runs. */
    public boolean skipCurrentJob(Generation generation) {
        String jobId = generation.runningJobId();
        if (jobId == null) {
            return false;
        }
        MessageProperties props = new MessageProperties();
        props.setContentType(MessageProperties.CONTENT_TYPE_JSON);
        props.setType(EventKind.SKIP.wireName());
        byte[] body = json.writeValueAsBytes(new JobSkipRequested(generation.id(), jobId,
                generation.user(), Instant.now()));
        rabbit.send(names.eventsExchange(), EventKind.SKIP.routingKey(generation.id()), new Message(body, props));
        return true;
    }

    /** Marks the generation cancelled here and tells the workers to stop its running job and drop its queued ones. */
    public void cancel(Generation generation) {
        generation.cancelled();
        saved(generation);
        MessageProperties props = new MessageProperties();
        props.setContentType(MessageProperties.CONTENT_TYPE_JSON);
        props.setType(EventKind.CANCELLED.wireName());
        byte[] body = json.writeValueAsBytes(new RequestCancelled(generation.id(), generation.user(),
                Instant.now()));
        rabbit.send(names.eventsExchange(), EventKind.CANCELLED.routingKey(generation.id()), new Message(body, props));
    }

    @RabbitListener(queues = "#{gatewayEventQueue.name}")
    public void onEvent(Message message) {
        String type = message.getMessageProperties().getType();
        EventKind kind = type != null ? EventKind.named(type)
                : EventKind.ofRoutingKey(message.getMessageProperties().getReceivedRoutingKey());
        switch (kind) {
            case PROGRESS -> {
                ProgressEvent e = json.readValue(message.getBody(), ProgressEvent.class);
                find(e.requestId()).ifPresent(g -> {
                    boolean wasQueued = g.state() == Generation.State.QUEUED;
                    g.progress(e.jobId(), e.step(), e.totalSteps(), e.etaSeconds());
                    if (wasQueued) {
                        saved(g);
                    }
                });
            }
            case PREVIEW -> {
                PreviewEvent e = json.readValue(message.getBody(), PreviewEvent.class);
                find(e.requestId()).ifPresent(g -> g.preview(e.pngBase64()));
            }
            case JOB_FINISHED -> {
                JobFinished e = json.readValue(message.getBody(), JobFinished.class);
                find(e.requestId()).ifPresent(g -> {
                    g.jobFinished(e.images(), indexesOf(e));
                    saved(g);
                });
            }
            case JOB_SKIPPED -> {
                JobSkipped e = json.readValue(message.getBody(), JobSkipped.class);
                find(e.requestId()).ifPresent(g -> {
                    g.jobSkipped(e.images());
                    saved(g);
                });
            }
            case JOB_FAILED -> {
                JobFailed e = json.readValue(message.getBody(), JobFailed.class);
                if (metrics != null) {
                    metrics.jobFailed();
                }
                find(e.requestId()).ifPresent(g -> {
                    g.failed("job " + e.jobId() + " failed after " + e.attempts() + " attempts: " + e.reason());
                    saved(g);
                });
            }
            case null, default -> {
            }
        }
    }

    /** Job ids are "requestId-firstImageIndex"; a job's images are consecutive from there. */
    private static List<Integer> indexesOf(JobFinished e) {
        int first = Integer.parseInt(e.jobId().substring(e.requestId().length() + 1));
        List<Integer> indexes = new ArrayList<>();
        for (int i = 0; i < e.images(); i++) {
            indexes.add(first + i);
        }
        return indexes;
    }
}
