package io.sdfleet.gateway.generation;

import io.sdfleet.request.GenerationParameters;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * This gateway replica's live view of one request: its parameters, how many images are done, its state, the step it
 * is at, the events so far (replayed to late SSE subscribers) and who is waiting for it here. The shared account is
 * the row in {@link GenerationStore}; the view follows the broker's events and catches up with the row.
 */
public final class Generation {

    public enum State { QUEUED, RUNNING, FINISHED, FAILED, CANCELLED }

    /** One event as sent to SSE clients. */
    public record Event(String name, Map<String, Object> data) {
    }

    private final String id;
    private final String user;
    private final GenerationParameters parameters;
    private final Instant acceptedAt;
    private final CompletableFuture<Generation> done = new CompletableFuture<>();
    private final List<Event> events = new CopyOnWriteArrayList<>();
    private final List<SseEmitter> listeners = new CopyOnWriteArrayList<>();
    private volatile State state = State.QUEUED;
    private volatile int imagesDone;
    private volatile int step;
    private volatile int totalSteps;
    private volatile double etaSeconds;
    private volatile String error;
    private volatile String runningJobId;
    private volatile String preview;
    private volatile int imagesSkipped;
    private final List<Integer> storedIndexes = new CopyOnWriteArrayList<>();
    private final Set<String> skippedJobs = new HashSet<>();

    /** What is kept of a generation across gateway restarts. */
    public record Snapshot(String id, String user, GenerationParameters parameters, Instant acceptedAt, State state,
                           int imagesDone, int imagesSkipped, List<Integer> storedIndexes, String error) {
    }

    Generation(String id, String user, GenerationParameters parameters, Instant acceptedAt) {
        this.id = id;
        this.user = user;
        this.parameters = parameters;
        this.acceptedAt = acceptedAt;
    }

    /**
     * A view loaded from the shared row (accepted by another replica or an earlier process); its event history
     * starts with "recovered", since the events before it were not seen here.
     */
    static Generation fromRow(Snapshot s) {
        Generation g = new Generation(s.id(), s.user(), s.parameters(), s.acceptedAt());
        g.state = s.state();
        g.imagesDone = s.imagesDone();
        g.imagesSkipped = s.imagesSkipped();
        g.storedIndexes.addAll(s.storedIndexes());
        g.error = s.error();
        g.events.add(new Event("recovered", Map.of("id", s.id(), "state", s.state().name().toLowerCase(),
                "images_done", s.imagesDone())));
        if (g.state == State.FINISHED || g.state == State.FAILED || g.state == State.CANCELLED) {
            g.done.complete(g);
        }
        return g;
    }

    synchronized Snapshot snapshot() {
        return new Snapshot(id, user, parameters, acceptedAt, state, imagesDone, imagesSkipped,
                List.copyOf(storedIndexes), error);
    }

    /**
     * Brings this replica's view up to the shared row: images stored, batches skipped and an end recorded from
     * events this process missed (sent before it loaded the generation, or while its own queue was down) or by
     * another replica (a cancel) or the sweeper, completing waiters and streams here as if the events had come.
     */
    synchronized void catchUp(Snapshot row) {
        if (isOver()) {
            return;
        }
        List<Integer> missing = row.storedIndexes().stream().filter(i -> !storedIndexes.contains(i)).toList();
        if (!missing.isEmpty()) {
            jobFinished(missing);
        }
        if (row.imagesSkipped() > imagesSkipped) {
            skipped(row.imagesSkipped() - imagesSkipped);
        }
        switch (row.state()) {
            case FAILED -> failed(row.error());
            case CANCELLED -> cancelled();
            case FINISHED -> finish();
            case RUNNING -> {
                if (state == State.QUEUED) {
                    started();
                }
            }
            case QUEUED -> { }
        }
    }

    /** Finished, failed or cancelled. */
    public boolean isOver() {
        return state == State.FINISHED || state == State.FAILED || state == State.CANCELLED;
    }

    public String id() {
        return id;
    }

    public String user() {
        return user;
    }

    public GenerationParameters parameters() {
        return parameters;
    }

    public Instant acceptedAt() {
        return acceptedAt;
    }

    public State state() {
        return state;
    }

    /** Images neither stored nor skipped yet. */
    public int imagesRemaining() {
        return Math.max(0, parameters.imageCount() - imagesDone - imagesSkipped);
    }

    public int imagesDone() {
        return imagesDone;
    }

    public int step() {
        return step;
    }

    public int totalSteps() {
        return totalSteps;
    }

    public double etaSeconds() {
        return etaSeconds;
    }

    public String error() {
        return error;
    }

    public CompletableFuture<Generation> done() {
        return done;
    }

    public List<Event> events() {
        return List.copyOf(events);
    }

    /** The latest live preview (base64 PNG), or null before the first. */
    public String preview() {
        return preview;
    }

    public void preview(String pngBase64) {
        this.preview = pngBase64;
    }

    /** The job now running for this request (from its latest progress event), or null. */
    public String runningJobId() {
        return runningJobId;
    }

    /** Indexes of the images stored so far, in the order they were stored. */
    public List<Integer> storedIndexes() {
        List<Integer> sorted = new ArrayList<>(storedIndexes);
        Collections.sort(sorted);
        return sorted;
    }

    synchronized void progress(String jobId, int newStep, int steps, double eta) {
        runningJobId = jobId;
        if (state == State.QUEUED) {
            started();
        }
        step = newStep;
        totalSteps = steps;
        etaSeconds = eta;
        emit(new Event("step", Map.of("id", id, "step", newStep, "steps", steps, "eta_seconds", eta,
                "images_done", imagesDone, "images", parameters.imageCount())));
    }

    private void started() {
        state = State.RUNNING;
        emit(new Event("started", Map.of("id", id)));
    }

    /** Images stored (a job's, or found later); each index counts once, however often it is reported. */
    synchronized void jobFinished(List<Integer> indexes) {
        List<Integer> fresh = indexes.stream().distinct().filter(i -> !storedIndexes.contains(i)).toList();
        if (fresh.isEmpty()) {
            return;
        }
        if (state == State.QUEUED) {
            started();
        }
        for (int index : fresh) {
            emit(new Event("image_stored", Map.of("id", id, "index", index, "url",
                    "/api/v1/generations/" + id + "/images/" + index)));
            storedIndexes.add(index);
            imagesDone++;
        }
        runningJobId = null;
        finishIfComplete();
    }

    /** A batch the caller skipped: its images will not exist, the rest of the request goes on (A1111's skip). */
    synchronized void jobSkipped(String jobId, int images) {
        if (skippedJobs.add(jobId)) {
            skipped(images);
        }
    }

    private void skipped(int images) {
        imagesSkipped += images;
        runningJobId = null;
        emit(new Event("skipped", Map.of("id", id, "images", images)));
        finishIfComplete();
    }

    private void finishIfComplete() {
        if (imagesDone + imagesSkipped >= parameters.imageCount()) {
            finish();
        }
    }

    private void finish() {
        if (!isOver()) {
            state = State.FINISHED;
            emit(new Event("finished", Map.of("id", id, "images", imagesDone)));
            done.complete(this);
            closeListeners();
        }
    }

    synchronized void failed(String reason) {
        if (isOver()) {
            return;
        }
        state = State.FAILED;
        error = reason;
        emit(new Event("failed", Map.of("id", id, "error", reason)));
        done.complete(this);
        closeListeners();
    }

    synchronized void cancelled() {
        if (isOver()) {
            return;
        }
        state = State.CANCELLED;
        emit(new Event("cancelled", Map.of("id", id)));
        done.complete(this);
        closeListeners();
    }

    /** @param position 1 + the requests of all users accepted before this one and not over yet */
    synchronized void queued(long position) {
        emit(new Event("queued", Map.of("id", id, "images", parameters.imageCount(), "position", position)));
    }

    /** Replays past events to a new listener, then keeps it for the next ones (closed when the request ends). */
    public synchronized void subscribe(SseEmitter emitter) {
        for (Event e : events) {
            send(emitter, e);
        }
        if (state == State.FINISHED || state == State.FAILED || state == State.CANCELLED) {
            emitter.complete();
        } else {
            listeners.add(emitter);
            emitter.onCompletion(() -> listeners.remove(emitter));
            emitter.onTimeout(() -> listeners.remove(emitter));
        }
    }

    private void emit(Event event) {
        events.add(event);
        for (SseEmitter emitter : listeners) {
            send(emitter, event);
        }
    }

    private void send(SseEmitter emitter, Event event) {
        try {
            emitter.send(SseEmitter.event().name(event.name()).data(event.data()));
        } catch (Exception gone) {
            listeners.remove(emitter);
        }
    }

    private void closeListeners() {
        listeners.forEach(SseEmitter::complete);
        listeners.clear();
    }

    /** Index range of this request's images. */
    public List<Integer> imageIndexes() {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < parameters.imageCount(); i++) {
            out.add(i);
        }
        return out;
    }
}
