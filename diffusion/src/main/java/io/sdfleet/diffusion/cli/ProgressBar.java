package io.sdfleet.diffusion.cli;

import io.sdfleet.diffusion.pipeline.ProgressListener;

import java.io.PrintStream;
import java.util.Locale;

/** A one-line progress bar with steps per second, redrawn in place on a terminal. */
final class ProgressBar implements ProgressListener {

    private static final int WIDTH = 30;
    private final PrintStream out;

    ProgressBar(PrintStream out) {
        this.out = out;
    }

    @Override
    public void onStep(int step, int total, double elapsedSeconds) {
        int filled = (int) Math.round(WIDTH * (double) step / total);
        double rate = elapsedSeconds > 0 ? step / elapsedSeconds : 0;
        out.printf(Locale.ROOT, "\r%3d%%|%s%s| %d/%d [%.1fs, %.2f it/s]", 100 * step / total, "#".repeat(filled),
                " ".repeat(WIDTH - filled), step, total, elapsedSeconds, rate);
        out.flush();
    }

    void finish() {
        out.println();
    }
}
