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
    void sd1AndUnknownFamiliesKeepTheFigures() {
        assertThat(BatchMemory.DEFAULT.forModels(ModelChoice.DEFAULTS)).isEqualTo(BatchMemory.DEFAULT);
        assertThat(BatchMemory.DEFAULT.forModels(new ModelChoice("v1-5", null).withArchitectures(ModelArchitecture.SD1, null)))
                .isEqualTo(BatchMemory.DEFAULT);
    }

    @Test
    void sdxlWeightsScaleWithItsParameters() {
        BatchMemory sdxl = BatchMemory.DEFAULT.forModels(
                new ModelChoice("sd_xl_base_1.0", null).withArchitectures(ModelArchitecture.SDXL, null));
        // fp16 SDXL base is 6.9 GB of weights; with SD 1.5's allowance over its 2.1 GB, about 8.1 GB
        assertThat(sdxl.modelBytes()).isBetween(7_900_000_000L, 8_300_000_000L);
        // its activations, measured by ./sd bench --arch sdxl, about twice SD 1.5's a pixel
        assertThat(sdxl.bytesPerPixel()).isEqualTo(Math.round(BatchMemory.DEFAULT.bytesPerPixel() * 2.1));
        long device = 16L * GIB;
        assertThat(sdxl.maxBatch(device, 1024, 1024)).isEqualTo(1);
        assertThat(sdxl.maxBatch(32L * GIB, 1024, 1024)).isEqualTo(2);
        assertThat(BatchMemory.DEFAULT.maxBatch(device, 1024, 1024)).isEqualTo(3);
    }

    @Test
    void aRefinerAddsItsWeights() {
        Refiner refiner = new Refiner("sd_xl_refiner_1.0", 0.8);
        ModelChoice unread = new ModelChoice("sd_xl_base_1.0", null, refiner)
                .withArchitectures(ModelArchitecture.SDXL, null);
        ModelChoice read = unread.withArchitectures(ModelArchitecture.SDXL, ModelArchitecture.SDXL_REFINER);
        BatchMemory base = BatchMemory.DEFAULT.forModels(new ModelChoice("sd_xl_base_1.0", null)
                .withArchitectures(ModelArchitecture.SDXL, null));
        assertThat(BatchMemory.DEFAULT.forModels(read).modelBytes()).isGreaterThan(base.modelBytes() + 6_000_000_000L);
        assertThat(BatchMemory.DEFAULT.forModels(unread)).as("an unread refiner counts as SDXL's")
                .isEqualTo(BatchMemory.DEFAULT.forModels(read));
    }

    @Test
    void nonsenseIsRefused() {
        assertThatThrownBy(() -> new BatchMemory(0, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
