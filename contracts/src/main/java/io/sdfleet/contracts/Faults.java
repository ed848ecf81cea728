package io.sdfleet.contracts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * Whose fault a failed job attempt is. A <em>job</em> fault is the input's (an unknown model, LoRA or VAE, a bad
 * parameter, a result of NaNs): it fails the same way on any worker, so the worker stays healthy (the job still gets
 * its attempts, then is dead-lettered with the reason). A <em>worker</em> fault is the worker's (out of memory, a device or I/O error): the job is
 * retried on another worker and the fault counts against the worker. Anything else is {@link Kind#UNKNOWN}: retried,
 * blaming no one.
 */
public final class Faults {

    public enum Kind { JOB, WORKER, UNKNOWN }

    private Faults() {
    }

    public static Kind classify(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof VirtualMachineError || t instanceof IOException || t instanceof UncheckedIOException) {
                return Kind.WORKER; // OutOfMemoryError, StackOverflowError, InternalError; storage or device I/O
            }
            String message = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            if (message.contains("out of memory") || message.contains("cuda error")) {
                return Kind.WORKER;
            }
            if (t instanceof IllegalArgumentException || t instanceof ArithmeticException
                    || message.contains("nan") && message.matches(".*\\bnans?\\b.*")
                    || message.contains("non-finite")) {
                return Kind.JOB;
            }
        }
        return Kind.UNKNOWN;
    }
}
