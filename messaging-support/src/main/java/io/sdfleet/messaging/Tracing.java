package io.sdfleet.messaging;

import io.sdfleet.contracts.Messaging;
import org.slf4j.MDC;
import org.springframework.amqp.core.Message;

import java.util.function.Supplier;

/**
 * The trace id of the work at hand, kept in the SLF4J MDC under {@value Messaging#TRACE_MDC_KEY} and carried
 * on messages as the {@value Messaging#TRACE_HEADER} header. {@link MessagingAutoConfiguration} stamps it on every
 * message sent and puts a received message's into the MDC.
 */
public final class Tracing {

    private Tracing() {
    }

    /** The trace id of the work at hand, or null. */
    public static String current() {
        return MDC.get(Messaging.TRACE_MDC_KEY);
    }

    /** The trace id a message carries, or null. */
    public static String of(Message message) {
        Object value = message.getMessageProperties().getHeaders().get(Messaging.TRACE_HEADER);
        return value == null ? null : value.toString();
    }

    /** {@code trace} (may be null) in the MDC until the scope is closed, which puts back what was there. */
    public static Scope open(String trace) {
        String previous = MDC.get(Messaging.TRACE_MDC_KEY);
        put(trace);
        return () -> put(previous);
    }

    /** Runs {@code work} with {@code trace} in the MDC. */
    public static <T> T with(String trace, Supplier<T> work) {
        try (Scope ignored = open(trace)) {
            return work.get();
        }
    }

    public static void run(String trace, Runnable work) {
        try (Scope ignored = open(trace)) {
            work.run();
        }
    }

    private static void put(String trace) {
        if (trace == null) {
            MDC.remove(Messaging.TRACE_MDC_KEY);
        } else {
            MDC.put(Messaging.TRACE_MDC_KEY, trace);
        }
    }

    /** A trace id in the MDC for as long as it is open. */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
