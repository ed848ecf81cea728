package io.sdfleet.worker.job;

import io.sdfleet.contracts.EventKind;
import io.sdfleet.contracts.JobFinished;
import io.sdfleet.contracts.JobMessage;
import io.sdfleet.contracts.PreviewEvent;
import io.sdfleet.contracts.ProgressEvent;
import io.sdfleet.request.Batch;
import io.sdfleet.request.GenerationParameters;
import io.sdfleet.worker.WorkerProperties;
import io.sdfleet.worker.generation.ImageGenerator;
import io.sdfleet.worker.heartbeat.MeasuredSpeed;
import io.sdfleet.worker.messaging.EventPublisher;
import io.sdfleet.worker.ops.WorkerMetrics;
import io.sdfleet.worker.storage.InputImages;
import io.sdfleet.worker.storage.StorageClient;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runs one job: generate, report every step, store every image, then announce the job finished. The caller
 * acknowledges the job only after this returns, so a crash anywhere before that leaves the job on the queue.
 */
@Component
public class JobRunner {

    private final ImageGenerator generator;
    private final StorageClient storage;
    private final EventPublisher events;
    private final WorkerProperties properties;
    private final JsonMapper json;
    private final CancelledRequests cancelled;
    private final WorkerMetrics metrics;
    private final MeasuredSpeed speed;
    private final InputImages inputs;
    private volatile String currentJobId;
    private volatile boolean stopping;

    public JobRunner(ImageGenerator generator, StorageClient storage, EventPublisher events,
                     WorkerProperties properties, JsonMapper json, CancelledRequests cancelled,
                     WorkerMetrics metrics, MeasuredSpeed speed, InputImages inputs) {
        this.inputs = inputs;
        this.speed = speed;
        this.metrics = metrics;
        this.generator = generator;
        this.storage = storage;
        this.events = events;
        this.properties = properties;
        this.json = json;
        this.cancelled = cancelled;
    }

    /** Thrown into a running job when the worker shuts down; the job goes back to the queue for another worker. */
    public static final class ShutdownRequested extends RuntimeException {
        ShutdownRequested() {
            super("worker shutting down");
        }
    }

    /** The first thing a closing context does: stop the running job at its next step. */
    @EventListener(ContextClosedEvent.class)
    public void shuttingDown() {
        stopping = true;
    }

    /** Thrown into a running job whose request was cancelled; the job is dropped, not retried. */
    public static final class RequestCancelled extends RuntimeException {
        RequestCancelled() {
            super("request cancelled");
        }
    }

    /** Thrown into a running job its caller asked to skip; the job is dropped and the request goes on. */
    public static final class JobSkipped extends RuntimeException {
        JobSkipped() {
            super("job skipped");
        }
    }

    public void run(JobMessage job) {
        currentJobId = job.jobId();
        long start = System.nanoTime();
        int[] steps = {0};
        try {
            // Step 0 says "taken by this worker" at once: loading a model can take longer than a whole job.
            events.requestEvent(job.requestId(), EventKind.PROGRESS, new ProgressEvent(job.requestId(), job.jobId(),
                    properties.id(), 0, job.parameters().sampling().steps(), 0, Instant.now()));
            JobMessage runnable = new JobMessage(job.jobId(), job.requestId(), job.user(), job.firstImageIndex(),
                    job.seeds(), inputs.resolve(job.parameters()), job.priority());
            ImageGenerator.Batch batch = generator.generate(runnable, new ImageGenerator.Progress() {
                @Override
                public void step(int step, int total, double elapsed) {
                    steps[0]++;
                    metrics.step();
                    if (stopping) {
                        throw new ShutdownRequested();
                    }
                    if (cancelled.contains(job.requestId())) {
                        throw new RequestCancelled();
                    }
                    if (cancelled.skipped(job.jobId())) {
                        throw new JobSkipped();
                    }
                    double eta = step > 0 ? elapsed / step * (total - step) : 0;
                    events.requestEvent(job.requestId(), EventKind.PROGRESS,
                            new ProgressEvent(job.requestId(), job.jobId(), properties.id(), step, total, eta, Instant.now()));
                }

                @Override
                public void preview(int step, byte[] png) {
                    events.requestEvent(job.requestId(), EventKind.PREVIEW, new PreviewEvent(
                            job.requestId(), job.jobId(), properties.id(), step,
                            Base64.getEncoder().encodeToString(png), Instant.now()));
                }
            });
            for (ImageGenerator.Image image : batch.images()) {
                storage.store(metadata(job, batch, image), image.png());
                metrics.imageStored();
            }
            metrics.throughput(steps[0], batch.images().size(), System.nanoTime() - start);
            if (job.parameters().extras() == null) { // postprocessing says nothing of the sampling speed
                speed.ran(job.parameters().withBatch(new Batch(job.seeds().size(), 1)), batch.pipelineSeconds());
            }
            events.confirmedRequestEvent(job.requestId(), EventKind.JOB_FINISHED, new JobFinished(job.requestId(), job.jobId(),
                    properties.id(), batch.images().size(), batch.pipelineSeconds(), batch.peakMemoryBytes(), Instant.now()));
        } finally {
            currentJobId = null;
        }
    }

    public String currentJobId() {
        return currentJobId;
    }

    private Map<String, Object> metadata(JobMessage job, ImageGenerator.Batch batch, ImageGenerator.Image image) {
        GenerationParameters p = job.parameters();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("requestId", job.requestId());
        m.put("jobId", job.jobId());
        m.put("imageIndex", image.imageIndex());
        m.put("user", job.user());
        m.put("seed", image.seed());
        m.put("prompt", p.prompt().positive());
        m.put("negativePrompt", p.prompt().negative());
        m.put("parametersJson", json.writeValueAsString(p));
        m.put("infotext", image.infotext());
        m.put("model", batch.model());
        m.put("workerId", properties.id());
        m.put("pipelineSeconds", batch.pipelineSeconds());
        m.put("peakMemoryBytes", batch.peakMemoryBytes());
        return m;
    }
}
