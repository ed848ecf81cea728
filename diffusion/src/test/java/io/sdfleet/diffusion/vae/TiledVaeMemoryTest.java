package io.sdfleet.diffusion.vae;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.checkpoint.SafetensorsFile;
import io.sdfleet.diffusion.nn.Weights;
import io.sdfleet.diffusion.nn.PaddingMode;
import io.sdfleet.diffusion.runtime.MemoryProbe;
import io.sdfleet.diffusion.runtime.PeakMemory;
import io.sdfleet.diffusion.runtime.Torch;
import io.sdfleet.diffusion.runtime.TorchCpuRandom;
import io.sdfleet.diffusion.testing.Reference;
import org.junit.jupiter.api.Test;

import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/** A 1024² decode of the mini VAE: tiled, its peak resident memory stays well below the plain decode's. */
class TiledVaeMemoryTest {

    @Test
    void tiledDecodePeaksBelowThePlainDecode() {
        try (NDManager m = Torch.newManager(Device.cpu());
             SafetensorsFile checkpoint = Reference.tensors("mini_sd15_fp32.safetensors")) {
            AutoencoderKL vae = AutoencoderKL.load(Weights.of(checkpoint, m, DataType.FLOAT32).at(AutoencoderKL.PREFIX));
            NDArray latent = TorchCpuRandom.randn(m, 3, new Shape(1, 4, 128, 128));
            // tiled first: memory freed by a run may stay resident, which would only inflate the later baseline
            VaeSettings tiles = new VaeSettings(PaddingMode.ZEROS, vae.attention(), VaeTiling.DEFAULT);
            long tiled = peakGrowth(() -> vae.decode(latent, tiles));
            long plain = peakGrowth(() -> vae.decode(latent));
            System.out.printf("1024² mini VAE decode peak growth: plain %d MB, tiled %d MB (%.2f×)%n",
                    plain >> 20, tiled >> 20, (double) tiled / plain);
            assertThat(tiled).isLessThan(plain / 2);
        }
    }

    /** How far resident memory rose above its level at the start while {@code decode} ran. */
    private static long peakGrowth(Supplier<NDArray> decode) {
        System.gc();
        long before = MemoryProbe.residentBytes();
        PeakMemory peak = PeakMemory.start(Device.cpu());
        decode.get().close();
        return peak.peakBytes() - before;
    }
}
