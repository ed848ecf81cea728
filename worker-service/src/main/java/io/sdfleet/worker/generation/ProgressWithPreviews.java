package io.sdfleet.worker.generation;

import io.sdfleet.diffusion.image.PngFiles;
import io.sdfleet.diffusion.pipeline.ProgressListener;

import java.awt.image.BufferedImage;
import java.util.Map;

/** The engine's progress, and its live previews every {@code every} steps as PNG, handed to the job's progress. */
final class ProgressWithPreviews implements ProgressListener {

    private final ImageGenerator.Progress progress;
    private final int every;

    ProgressWithPreviews(ImageGenerator.Progress progress, int every) {
        this.progress = progress;
        this.every = every;
    }

    @Override
    public void onStep(int step, int total, double elapsedSeconds) {
        progress.step(step, total, elapsedSeconds);
    }

    @Override
    public int previewEvery() {
        return every;
    }

    @Override
    public void onPreview(int step, BufferedImage preview) {
        progress.preview(step, PngFiles.encode(preview, Map.of()));
    }
}
