package io.sdfleet.launcher;

import io.sdfleet.infra.EmbeddedBroker;

import java.nio.file.Path;

/**
 * Local mode's embedded broker in a process of its own, for the drill that kills it: args are its work folder and
 * AMQP port. Prints {@code READY} once it listens, then waits to be killed.
 */
public final class EmbeddedBrokerChild {

    private EmbeddedBrokerChild() {
    }

    public static void main(String[] args) throws Exception {
        EmbeddedBroker.start(Path.of(args[0]), Integer.parseInt(args[1]));
        System.out.println("READY");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
