package io.sdfleet.launcher;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;

/** Waits for a child JVM of a test to print {@code READY}, then drains its output so it never blocks on a full pipe. */
final class ChildReady {

    private ChildReady() {
    }

    /** Returns once {@code child} printed READY; fails with everything it printed if it exits first. */
    static void await(Process child, String what) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        for (String line; (line = out.readLine()) != null; ) {
            if (line.equals("READY")) {
                Thread drain = new Thread(() -> {
                    try {
                        out.transferTo(Writer.nullWriter());
                    } catch (IOException gone) {
                        // the child is gone
                    }
                });
                drain.setDaemon(true);
                drain.start();
                return;
            }
            seen.append(line).append('\n');
        }
        throw new AssertionError(what + " exited before it was ready:\n" + seen);
    }
}
