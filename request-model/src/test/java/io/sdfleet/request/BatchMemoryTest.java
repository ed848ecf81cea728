package io.sdfleet.request;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BatchMemoryTest {

    private static final long GIB = 1L << 30;

    @Test
    void aBatchFitsWhenTheModelAndItsImagesDo() {
        BatchMemory memory = new BatchMemory(2 * GIB, 4096);
        long perImage = 512L * 512 * 4096; // 1 GiB
        assertThat(memory.maxBatch(2 * GIB + 3 * perImage, 512, 512)).isEqualTo(3);
        assertThat(memory.maxBatch(2 * GIB + 3 * perImage - 1, 512, 512)).isEqualTo(2);
        assertThat(memory.maxBatch(GIB, 512, 512)).as("one image is always tried").isEqualTo(1);
        assertThat(memory.maxBatch(2 * GIB + 3 * perImage, 1024, 1024)).isEqualTo(1);
    }

    @Test
    void nonsenseIsRefused() {
        assertThatThrownBy(() -> new BatchMemory(0, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
