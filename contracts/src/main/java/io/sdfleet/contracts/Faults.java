package io.sdfleet.contracts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * Whose fault a failed job attempt is. A <em>job</em> fault is the input's (an unknown model, LoRA or VAE, a bad
 * parameter, a result of NaNs, a stack overflow while reading the prompt): it fails the same way on any worker, so
 * the worker stays healthy (the job still gets its attempts, then is dead-lettered with the reason). A <em>worker</em>
 * fault needs evidence that the worker is to blame: out of memory, a CUDA/device error, I/O against storage or the
 * model cache. The job is retried on another worker and the fault counts against the worker (and the scheduler
 * takes the blame back when a second worker fails the job the same way). Anything else, other
 * {@link VirtualMachineError}s included, is {@link Kind#UNKNOWN}: retried, blaming no one.
 */
public final class Faults {

    public enum Kind { JOB, WORKER, UNKNOWN }

    private Faults() {
    }

    public static Kind classify(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof StackOverflowError) {
                // Raised by the request's input (a prompt that made a parser recurse): blaming the worker let three
                // such requests drain three workers.
                return Kind.JOB;
            }
            if (t instanceof OutOfMemoryError || t instanceof IOException || t instanceof UncheckedIOException) {
                return Kind.WORKER; // heap or device memory; storage or model-cache I/O
            }
            String message = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            if (message.contains("out of memory") || message.contains("cuda error") || message.contains("cudnn_status")
                    || message.contains("cublas_status") || message.contains("device-side assert")) {
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
