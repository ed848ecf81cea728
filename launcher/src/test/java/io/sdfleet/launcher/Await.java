package io.sdfleet.launcher;

import java.util.function.BooleanSupplier;

/** Waits for a fleet to reach a state, polling every 50 ms, failing the test after a limit. */
final class Await {

    private Await() {
    }

    static void until(BooleanSupplier condition, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + seconds + " s");
            }
            Thread.sleep(50);
        }
    }
}
