package io.sdfleet.worker.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.sdfleet.worker.WorkerProperties;
import io.sdfleet.worker.generation.ImageGenerator;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The worker's meters, all tagged {@code worker} (its id).
 * <ul>
 *   <li>{@code sdfleet.job.wait}: timer, request accepted by the gateway → this worker starts the job</li>
 *   <li>{@code sdfleet.job.run{outcome}}: timer of running a job; outcome finished, failed, skipped, cancelled,
 *       requeued (worker shutting down)</li>
 *   <li>{@code sdfleet.worker.steps}, {@code sdfleet.worker.images}: counters of denoising steps run and images
 *       stored (rate() gives steps/s and images/s)</li>
 *   <li>{@code sdfleet.worker.steps.per.second}, {@code sdfleet.worker.images.per.second}: gauges, the last
 *       finished job's throughput</li>
 *   <li>{@code sdfleet.worker.memory.used}, {@code .peak}, {@code .total} (bytes, tag {@code device}): the memory
 *       probe of the device (VRAM on a GPU), as last sent in the heartbeat</li>
 *   <li>{@code sdfleet.worker.job.failures}: failed attempts; {@code sdfleet.jobs.dead.lettered}: jobs moved to
 *       the dead-letter queue after their last attempt; {@code sdfleet.worker.storage.errors}: images storage-service
 *       did not take</li>
 * </ul>
 */
@Component
public class WorkerMetrics {

    private final MeterRegistry registry;
    private final Tags tags;
    private final Timer wait;
    private final Counter steps;
    private final Counter images;
    private final Counter failures;
    private final Counter deadLettered;
    private final Counter storageErrors;
    private final AtomicLong lastStepsPerSecond = new AtomicLong(Double.doubleToLongBits(0));
    private final AtomicLong lastImagesPerSecond = new AtomicLong(Double.doubleToLongBits(0));
    private final AtomicLong used = new AtomicLong(-1);
    private final AtomicLong peak = new AtomicLong(-1);
    private final AtomicLong total = new AtomicLong(-1);

    public WorkerMetrics(MeterRegistry registry, WorkerProperties properties, ImageGenerator generator) {
        this.registry = registry;
        this.tags = Tags.of("worker", properties.id());
        wait = Timer.builder("sdfleet.job.wait").tags(tags)
                .description("From the gateway accepting a request to a worker starting one of its jobs").register(registry);
        steps = Counter.builder("sdfleet.worker.steps").tags(tags).description("Denoising steps run").register(registry);
        images = Counter.builder("sdfleet.worker.images").tags(tags).description("Images generated and stored")
                .register(registry);
        failures = Counter.builder("sdfleet.worker.job.failures").tags(tags)
                .description("Failed job attempts (each is retried until the last)").register(registry);
        deadLettered = Counter.builder("sdfleet.jobs.dead.lettered").tags(tags)
                .description("Jobs moved to the dead-letter queue after their last failed attempt").register(registry);
        storageErrors = Counter.builder("sdfleet.worker.storage.errors").tags(tags)
                .description("Images storage-service did not take").register(registry);
        Gauge.builder("sdfleet.worker.steps.per.second", lastStepsPerSecond, v -> Double.longBitsToDouble(v.get()))
                .tags(tags).description("Denoising steps per second of the last finished job").register(registry);
        Gauge.builder("sdfleet.worker.images.per.second", lastImagesPerSecond, v -> Double.longBitsToDouble(v.get()))
                .tags(tags).description("Images per second of the last finished job").register(registry);
        Tags memoryTags = tags.and("device", String.valueOf(generator.device()));
        memoryGauge(registry, "sdfleet.worker.memory.used", used, memoryTags, "Device memory in use (VRAM on a GPU)");
        memoryGauge(registry, "sdfleet.worker.memory.peak", peak, memoryTags, "Peak device memory reached by jobs");
        memoryGauge(registry, "sdfleet.worker.memory.total", total, memoryTags, "Device memory in all");
    }

    private static void memoryGauge(MeterRegistry registry, String name, AtomicLong value, Tags tags, String description) {
        Gauge.builder(name, value, v -> v.get() < 0 ? Double.NaN : v.get()).tags(tags).baseUnit("bytes")
                .description(description).register(registry);
    }

    /** A job starts: records how long it waited since its request was accepted (when known). */
    public void started(Instant acceptedAt) {
        if (acceptedAt != null) {
            Duration d = Duration.between(acceptedAt, Instant.now());
            wait.record(d.isNegative() ? Duration.ZERO : d);
        }
    }

    /** A job ended with {@code outcome} after {@code nanos}. */
    public void ran(String outcome, long nanos) {
        Timer.builder("sdfleet.job.run").tags(tags).tag("outcome", outcome).description("Time running a job")
                .register(registry).record(Duration.ofNanos(nanos));
    }

    /** A finished job's throughput: {@code stepCount} steps and {@code imageCount} images in {@code nanos}. */
    public void throughput(int stepCount, int imageCount, long nanos) {
        double seconds = nanos / 1e9;
        if (seconds > 0) {
            lastStepsPerSecond.set(Double.doubleToLongBits(stepCount / seconds));
            lastImagesPerSecond.set(Double.doubleToLongBits(imageCount / seconds));
        }
    }

    public void step() {
        steps.increment();
    }

    public void imageStored() {
        images.increment();
    }

    public void failedAttempt(boolean deadLetteredNow) {
        failures.increment();
        if (deadLetteredNow) {
            deadLettered.increment();
        }
    }

    public void storageError() {
        storageErrors.increment();
    }

    /** The memory probe's {total, free, peak} bytes, as sent in the heartbeat. */
    public void memory(long[] totalFreePeak) {
        total.set(totalFreePeak[0]);
        used.set(Math.max(0, totalFreePeak[0] - totalFreePeak[1]));
        peak.set(totalFreePeak[2]);
    }
}
