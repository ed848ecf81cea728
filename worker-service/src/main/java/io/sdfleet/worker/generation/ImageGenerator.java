package io.sdfleet.worker.generation;

import io.sdfleet.contracts.JobMessage;

import java.util.List;

/** Turns one job into images. The engine implements it; unit tests may use a fake. */
public interface ImageGenerator {

    /** Called after each denoising step, and with a live preview every few steps. */
    interface Progress {
        void step(int step, int totalSteps, double elapsedSeconds);

        /** A small PNG of where the job is heading after {@code step} (A1111's "Approx cheap"). */
        default void preview(int step, byte[] png) {
        }
    }

    /** One image of the job: its index within the request, seed, PNG bytes (with infotext) and the infotext. */
    record Image(int imageIndex, long seed, byte[] png, String infotext) {
    }

    record Batch(List<Image> images, String model, double pipelineSeconds, long peakMemoryBytes) {
    }

    Batch generate(JobMessage job, Progress progress);

    /** Names of the models currently loaded (for heartbeats). */
    List<String> loadedModels();

    /** The device this generator runs on, e.g. "cpu()" or "gpu(0)". */
    String device();

    /** Total, free and peak bytes of that device's memory. */
    long[] memory();
}
