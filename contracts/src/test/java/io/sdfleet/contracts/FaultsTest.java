package io.sdfleet.contracts;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;

import static io.sdfleet.contracts.Faults.Kind.JOB;
import static io.sdfleet.contracts.Faults.Kind.UNKNOWN;
import static io.sdfleet.contracts.Faults.Kind.WORKER;
import static org.assertj.core.api.Assertions.assertThat;

class FaultsTest {

    @Test
    void badInputIsTheJobsFault() {
        assertThat(Faults.classify(new IllegalArgumentException("model 'no-such-model' not found in /models"))).isEqualTo(JOB);
        assertThat(Faults.classify(new IllegalArgumentException("lora 'x' not found: no file x"))).isEqualTo(JOB);
        assertThat(Faults.classify(new IllegalStateException("latents are NaN after step 3"))).isEqualTo(JOB);
        assertThat(Faults.classify(new RuntimeException("decoded image has non-finite values"))).isEqualTo(JOB);
        assertThat(Faults.classify(new RuntimeException("wrapped", new NumberFormatException("x")))).isEqualTo(JOB);
    }

    @Test
    void resourceTroubleIsTheWorkersFault() {
        assertThat(Faults.classify(new OutOfMemoryError("Java heap space"))).isEqualTo(WORKER);
        assertThat(Faults.classify(new RuntimeException("CUDA error: out of memory"))).isEqualTo(WORKER);
        assertThat(Faults.classify(new UncheckedIOException(new IOException("storage unreachable")))).isEqualTo(WORKER);
        assertThat(Faults.classify(new RuntimeException("run", new OutOfMemoryError()))).isEqualTo(WORKER);
        assertThat(Faults.classify(new RuntimeException("CUBLAS_STATUS_EXECUTION_FAILED when calling cublasSgemm")))
                .isEqualTo(WORKER);
        assertThat(Faults.classify(new IOException("No space left on device"))).isEqualTo(WORKER);
    }

    /** A prompt that made a parser recurse once per character overflowed the stack; that is the input's doing. */
    @Test
    void aStackOverflowIsTheJobsFault() {
        assertThat(Faults.classify(new StackOverflowError())).isEqualTo(JOB);
        assertThat(Faults.classify(new RuntimeException("encode prompt", new StackOverflowError()))).isEqualTo(JOB);
    }

    /** Without evidence against the worker (memory, device, I/O), a VM error blames no one. */
    @Test
    void otherVirtualMachineErrorsBlameNoWorker() {
        assertThat(Faults.classify(new InternalError("something in the VM"))).isEqualTo(UNKNOWN);
        assertThat(Faults.classify(new UnknownError())).isEqualTo(UNKNOWN);
        assertThat(Faults.classify(new InternalError("CUDA error: an illegal memory access"))).isEqualTo(WORKER);
    }

    @Test
    void anythingElseBlamesNoOne() {
        assertThat(Faults.classify(new IllegalStateException("something odd"))).isEqualTo(UNKNOWN);
        assertThat(Faults.classify(new RuntimeException("financial nancy"))).isEqualTo(UNKNOWN);
        assertThat(Faults.classify(new RuntimeException((String) null))).isEqualTo(UNKNOWN);
    }
}
