package io.sdfleet.worker.heartbeat;

import io.sdfleet.contracts.WorkerHeartbeat;
import io.sdfleet.worker.WorkerProperties;
import io.sdfleet.worker.generation.ImageGenerator;
import io.sdfleet.worker.job.Drain;
import io.sdfleet.worker.job.JobRunner;
import io.sdfleet.worker.messaging.EventPublisher;
import io.sdfleet.worker.ops.WorkerMetrics;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import java.time.Instant;

/** Tells the fleet every few seconds what this worker is, how much memory it has, and what it is doing, and how fast it has been. */
@Component
public class HeartbeatPublisher {

    private final WorkerProperties properties;
    private final ImageGenerator generator;
    private final JobRunner runner;
    private final EventPublisher events;
    private final WorkerMetrics metrics;
    private final Drain drain;
    private final MeasuredSpeed speed;

    public HeartbeatPublisher(WorkerProperties properties, ImageGenerator generator, JobRunner runner, EventPublisher events,
                              WorkerMetrics metrics, Drain drain, MeasuredSpeed speed) {
        this.speed = speed;
        this.drain = drain;
        this.metrics = metrics;
        this.properties = properties;
        this.generator = generator;
        this.runner = runner;
        this.events = events;
    }

    private volatile boolean paused;

    /** Stops (true) or resumes heart-beating, as a hung process would: for tests of the scheduler's stall watch. */
    public void pause(boolean pause) {
        this.paused = pause;
    }

    @Scheduled(fixedRateString = "#{${sdfleet.worker.heartbeat-seconds:5} * 1000}")
    public void beat() {
        if (paused) {
            return;
        }
        long[] memory = generator.memory();
        metrics.memory(memory);
        events.heartbeat(new WorkerHeartbeat(properties.id(), generator.device(), memory[0], memory[1], memory[2],
                generator.loadedModels(), runner.currentJobId(), Instant.now(), drain.drained(), speed.pixelStepsPerSecond()));
    }
}
