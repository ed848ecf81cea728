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
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Accepts generations and follows them on this gateway replica. A request is accepted only once the broker
 * confirmed it is durably on the requests queue; from then on the scheduler and workers own it. Their events are
 * recorded once in the shared row ({@link GenerationRecorder}, on a durable queue every replica takes from) and
 * reach every replica here, on its own queue, for the live views: steps, previews, waiters and event streams. What
 * a replica missed it catches up from the row ({@link #catchUp}), so any replica answers for any request.
 */
@Service
public class Generations {

    private final RabbitTemplate rabbit;
    private final Messaging.Names names;
    private final JsonMapper json;
    private final RequestPublisher publisher;
    private final InputUploads inputs;
    private final Map<String, Generation> byId = new ConcurrentHashMap<>();
    private final Map<String, Instant> overSince = new ConcurrentHashMap<>();
    private final GenerationStore store;
    private GatewayMetrics metrics;

    public Generations(RabbitTemplate rabbit, Messaging.Names names, JsonMapper json, RequestPublisher publisher,
                       InputUploads inputs, GenerationStore store) {
        this.inputs = inputs;
        this.rabbit = rabbit;
        this.names = names;
        this.json = json;
        this.publisher = publisher;
        this.store = store;
    }

    /** Without limits (authentication off) and at priority 0. */
    public Generation submit(String user, GenerationParameters parameters) {
        return submit(user, parameters, 0, Admission.UNLIMITED);
    }

    /**
     * Accepts a request once {@code admission} lets it in (checked under the user's lock, against every replica's
     * requests) and the broker confirmed it; {@code priority} ranks it among the user's own (native API only).
     */
    public Generation submit(String user, GenerationParameters parameters, int priority, Admission admission) {
        String id = UUID.randomUUID().toString();
        Generation generation = new Generation(id, user, inputs.offload(parameters), Instant.now());
        store.insert(generation, priority, admission); // before it is queued: a crash after publishing must not lose it
        byId.put(id, generation);
        try {
            publisher.publish(new GenerationRequested(id, user, generation.acceptedAt(), generation.parameters(), priority));
        } catch (RuntimeException e) {
            byId.remove(id);
            store.withdraw(id);
            throw e;
        }
        store.published(id); // a crash before this line leaves the row to the sweeper, which publishes it again
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

    /** A generation of any replica or earlier process: this replica's view, loaded from the row when it has none. */
    public Optional<Generation> find(String id) {
        Generation known = byId.get(id);
        if (known != null) {
            return Optional.of(known);
        }
        return store.find(id).map(s -> byId.computeIfAbsent(id, k -> Generation.fromRow(s)));
    }

    /** A user's requests, newest first (from the store, so every replica's). */
    public List<Generation.Snapshot> listOf(String user, Instant before, int limit) {
        return store.ofUser(user, before, limit).stream()
                .map(s -> byId.containsKey(s.id()) ? byId.get(s.id()).snapshot() : s).toList();
    }

    /** For a queued request: 1 + the unfinished requests accepted before it (all users); 0 once it runs or is over. */
    public long queuePosition(Generation g) {
        return g.state() == Generation.State.QUEUED ? 1 + store.ahead(g.acceptedAt()) : 0;
    }

    /** The caller's most recent generation that is not over, whichever replica accepted it (A1111's progress). */
    public Optional<Generation> currentOf(String user) {
        return store.currentOf(user).flatMap(this::find);
    }

    /** Asks the worker running this generation's current batch to drop it (A1111's skip); false when none runs. */
    public boolean skipCurrentJob(Generation generation) {
        String jobId = generation.runningJobId();
        if (jobId == null) {
            return false;
        }
        sendEvent(EventKind.SKIP, generation.id(),
                new JobSkipRequested(generation.id(), jobId, generation.user(), Instant.now()));
        return true;
    }

    /**
     * Ends the generation as cancelled in the shared row (giving back the images it will not make), then tells the
     * workers to stop its running job and drop its queued ones, and the other replicas to answer their waiters.
     */
    public void cancel(Generation generation) {
        store.cancelled(generation.id());
        generation.cancelled();
        sendEvent(EventKind.CANCELLED, generation.id(),
                new RequestCancelled(generation.id(), generation.user(), Instant.now()));
    }

    private void sendEvent(EventKind kind, String requestId, Object event) {
        MessageProperties props = new MessageProperties();
        props.setContentType(MessageProperties.CONTENT_TYPE_JSON);
        props.setType(kind.wireName());
        rabbit.send(names.eventsExchange(), kind.routingKey(requestId),
                new Message(json.writeValueAsBytes(event), props));
    }

    /**
     * Every event about every request, on this replica's own queue: the live views follow them. Progress loads the
     * view of a live request this replica has not seen yet (so its {@code /progress} and skip work here too); the
     * other events only update views already held. Nothing here writes the row, except that a request runs.
     */
    @RabbitListener(queues = "#{gatewayEventQueue.name}")
    public void onEvent(Message message) {
        String type = message.getMessageProperties().getType();
        EventKind kind = type != null ? EventKind.named(type)
                : EventKind.ofRoutingKey(message.getMessageProperties().getReceivedRoutingKey());
        byte[] body = message.getBody();
        switch (kind) {
            case PROGRESS -> {
                ProgressEvent e = json.readValue(body, ProgressEvent.class);
                find(e.requestId()).filter(g -> !g.isOver()).ifPresent(g -> {
                    boolean wasQueued = g.state() == Generation.State.QUEUED;
                    g.progress(e.jobId(), e.step(), e.totalSteps(), e.etaSeconds());
                    if (wasQueued) {
                        store.running(g.id());
                    }
                });
            }
            case PREVIEW -> {
                PreviewEvent e = json.readValue(body, PreviewEvent.class);
                held(e.requestId()).ifPresent(g -> g.preview(e.pngBase64()));
            }
            case JOB_FINISHED -> {
                JobFinished e = json.readValue(body, JobFinished.class);
                held(e.requestId()).ifPresent(g -> g.jobFinished(JobImages.indexesOf(e)));
            }
            case JOB_SKIPPED -> {
                JobSkipped e = json.readValue(body, JobSkipped.class);
                held(e.requestId()).ifPresent(g -> g.jobSkipped(e.jobId(), e.images()));
            }
            case JOB_FAILED -> {
                JobFailed e = json.readValue(body, JobFailed.class);
                held(e.requestId()).ifPresent(g -> g.failed(JobImages.failure(e)));
            }
            case CANCELLED -> {
                RequestCancelled e = json.readValue(body, RequestCancelled.class);
                held(e.requestId()).ifPresent(Generation::cancelled);
            }
            case null, default -> {
            }
        }
    }

    private Optional<Generation> held(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /**
     * Brings every view held here that is not over up to its row: what the events this replica missed, another
     * replica's cancel or the sweeper recorded. Called every few seconds ({@link LiveViewUpkeep}).
     */
    public void catchUp() {
        List<String> live = byId.values().stream().filter(g -> !g.isOver()).map(Generation::id).toList();
        for (Generation.Snapshot row : store.findAll(live)) {
            Generation g = byId.get(row.id());
            if (g != null) {
                g.catchUp(row);
            }
        }
    }

    /**
     * Forgets views that have been over for {@code keep}: the row keeps them (and storage their images), so a
     * later read loads them again; memory then holds only what is live. Called periodically ({@link LiveViewUpkeep});
     * {@code overSince} remembers when each was first seen over.
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

    /** Views held in memory now (for tests and meters). */
    public int inMemory() {
        return byId.size();
    }
}
