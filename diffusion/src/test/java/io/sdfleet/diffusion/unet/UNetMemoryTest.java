package io.sdfleet.diffusion.unet;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.checkpoint.SafetensorsFile;
import io.sdfleet.diffusion.nn.Weights;
import io.sdfleet.diffusion.nn.Attention;
import io.sdfleet.diffusion.model.NoisePredictor;
import io.sdfleet.diffusion.runtime.Torch;
import io.sdfleet.diffusion.runtime.TorchCpuRandom;
import io.sdfleet.diffusion.testing.Reference;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Native memory must not grow with the number of UNet calls: every intermediate dies with its block's scope. */
class UNetMemoryTest {

    private static final int WARM_UP = 20;
    private static final int STEPS = 200;

    @Test
    void twoHundredStepsKeepResidentMemoryFlat() throws IOException {
        try (NDManager m = Torch.newManager(Device.cpu());
             SafetensorsFile checkpoint = Reference.tensors("mini_sd15_fp32.safetensors")) {
            // chunking on, with small chunks, so the chunk scopes are exercised too
            UNetModel unet = UNetModel.load(Weights.of(checkpoint, m, DataType.FLOAT32).at(UNetModel.PREFIX),
                    HeadLayout.SD1, NoisePredictor.Prediction.EPSILON, new Attention(48));
            NDArray x = TorchCpuRandom.randn(m, 1, new Shape(2, 4, 12, 10));
            NDArray context = TorchCpuRandom.randn(m, 2, new Shape(2, 77, 64)); // long-lived, like a cached cond
            long afterWarmUp = 0;
            for (int step = 0; step < STEPS; step++) {
                try (NDManager stepScope = m.newSubManager()) {
                    NDArray t = stepScope.create(new float[] {999f - step, 500f});
                    NDArray eps = unet.predict(x, t, context);
                    NDArray next = x.sub(eps.mul(0.001f)); // a sampler-like update, kept across steps
                    next.attach(m);
                    x.close();
                    x = next;
                }
                // Java garbage (NDArray wrappers) would otherwise touch ever more heap pages, which RSS counts
                // too; collecting keeps the heap's share flat so the number measures native tensor memory
                System.gc();
                if (step % 20 == 0) {
                    Runtime rt = Runtime.getRuntime();
                    System.out.printf("step %d rss %d MB heap committed %d MB used %d MB%n", step, residentKb() / 1024,
                            rt.totalMemory() >> 20, (rt.totalMemory() - rt.freeMemory()) >> 20);
                }
                if (step == WARM_UP) {
                    afterWarmUp = residentKb();
                }
            }
            long growthKb = residentKb() - afterWarmUp;
            System.out.printf("UNet %d steps: VmRSS growth after warm-up %.1f MB%n", STEPS - WARM_UP, growthKb / 1024.0);
            assertThat(x.isNaN().any().getBoolean()).isFalse();
            assertThat(growthKb).isLessThan(50 * 1024);
        }
    }

    private static long residentKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
