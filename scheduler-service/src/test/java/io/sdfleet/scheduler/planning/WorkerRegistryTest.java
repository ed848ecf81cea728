package io.sdfleet.scheduler.planning;

import io.sdfleet.contracts.GenerationRequested;
import io.sdfleet.contracts.JobMessage;
import io.sdfleet.contracts.WorkerHeartbeat;
import io.sdfleet.request.Batch;
import io.sdfleet.request.GenerationParameters;
import io.sdfleet.request.ImageSize;
import io.sdfleet.request.ModelArchitecture;
import io.sdfleet.request.ModelChoice;
import io.sdfleet.request.Noise;
import io.sdfleet.request.Prompt;
import io.sdfleet.request.Refiner;
import io.sdfleet.request.Sampling;
import io.sdfleet.scheduler.SchedulerProperties;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class WorkerRegistryTest {

    private static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");

    /** Was: a restarted scheduler forgot its drains and counted drained workers as capacity again (issue 14). */
    @Test
    void aWorkerThatReportsItselfDrainedIsNoCapacityEvenToAFreshScheduler() {
        WorkerRegistry fresh = new WorkerRegistry(new SchedulerProperties(1, 100, 30, 0L, 1L, 300, true, 600));
        fresh.heard(new WorkerHeartbeat("w-drained", "cpu", 8L << 30, 8L << 30, 0, List.of(), null, NOW, true, 0), NOW);
        fresh.heard(new WorkerHeartbeat("w-ok", "cpu", 8L << 30, 8L << 30, 0, List.of(), null, NOW), NOW);

        assertThat(fresh.isDrained("w-drained")).isTrue();
        assertThat(fresh.liveWorkers(NOW)).isEqualTo(1);
        assertThat(fresh.idleWorkerIds(NOW)).containsExactly("w-ok");
    }

    /** SDXL's weights are 3× SD 1.5's and its activations 2×: on the same 16 GiB worker, 1024² batches are cut smaller. */
    @Test
    void sdxlBatchesAreCutByTheirOwnWeights() {
        WorkerRegistry workers = new WorkerRegistry(new SchedulerProperties(1, 100, 30, null, null, 300, true, 600));
        workers.heard(new WorkerHeartbeat("w-gpu", "cuda", 16L << 30, 16L << 30, 0, List.of(), null, NOW), NOW);
        ModelChoice sd15 = new ModelChoice("v1-5", null).withArchitectures(ModelArchitecture.SD1, null);
        ModelChoice sdxl = new ModelChoice("sd_xl_base_1.0", null).withArchitectures(ModelArchitecture.SDXL, null);
        ModelChoice refined = new ModelChoice("sd_xl_base_1.0", null, new Refiner("sd_xl_refiner_1.0", 0.8))
                .withArchitectures(ModelArchitecture.SDXL, ModelArchitecture.SDXL_REFINER);

        assertThat(workers.maxBatch(sd15, 1024, 1024, NOW)).isEqualTo(3);
        assertThat(workers.maxBatch(ModelChoice.DEFAULTS, 1024, 1024, NOW)).as("unknown: SD 1.x").isEqualTo(3);
        assertThat(workers.maxBatch(sdxl, 1024, 1024, NOW)).isEqualTo(1);
        assertThat(workers.maxBatch(refined, 1024, 1024, NOW)).as("base and refiner held").isEqualTo(1);

        GenerationParameters four = new GenerationParameters(new Prompt("p", "", 1), new ImageSize(1024, 1024),
                new Batch(4, 1), Noise.of(1000), new Sampling("Euler", "Automatic", 20, 7), null, null, sdxl, false);
        List<JobMessage> jobs = JobPlanner.plan(new GenerationRequested("r", "u", NOW, four),
                workers.maxBatch(four.models(), 1024, 1024, NOW));
        assertThat(jobs).extracting(j -> j.seeds().size()).containsExactly(1, 1, 1, 1);
        assertThat(jobs.getFirst().parameters().models().architecture()).isEqualTo(ModelArchitecture.SDXL);
    }
}
