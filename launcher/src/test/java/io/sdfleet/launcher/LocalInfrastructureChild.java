package io.sdfleet.launcher;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Local mode's infrastructure in a process of its own, for drills that kill it: args are the home folder and the
 * PostgreSQL port. Prints {@code READY} once PostgreSQL and S3Proxy run, then waits to be killed.
 */
public final class LocalInfrastructureChild {

    private LocalInfrastructureChild() {
    }

    public static void main(String[] args) throws Exception {
        List<AutoCloseable> started = new ArrayList<>();
        LocalInfrastructure.start(Path.of(args[0]), started,
                Map.of("SDFLEET_DB_PORT", args[1], "SDFLEET_AMQP_HOST", "127.0.0.1"));
        System.out.println("READY");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
