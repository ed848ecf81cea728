package io.sdfleet.diffusion.vae;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.checkpoint.SafetensorsFile;
import io.sdfleet.diffusion.nn.Weights;
import io.sdfleet.diffusion.nn.PaddingMode;
import io.sdfleet.diffusion.runtime.Torch;
import io.sdfleet.diffusion.runtime.TorchCpuRandom;
import io.sdfleet.diffusion.testing.Reference;
import io.sdfleet.diffusion.testing.Tensors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Tiled decode and encode against the plain runs of the mini SD 1.5 VAE, on latents several tiles wide. */
class TiledVaeTest {

    /** Exact statistics and a pad covering the decoder's whole reach: only float rounding is left. */
    static final double FULL_REACH_TOLERANCE = 1e-4;
    /** Exact statistics, 8-cell pad: the convolutions' reach beyond the pad is left (measured 4e-3 of ±2). */
    static final double PAD_8_TOLERANCE = 1e-2;
    /** Estimated statistics (from a 2× subsampled pass): a close image, not the same numbers. */
    private static final double ESTIMATED_STATS_MEAN_TOLERANCE = 0.05;

    private static NDManager manager;
    private static SafetensorsFile checkpoint;
    private static AutoencoderKL vae;

    @BeforeAll
    static void load() {
        manager = Torch.newManager(Device.cpu());
        checkpoint = Reference.tensors("mini_sd15_fp32.safetensors");
        vae = AutoencoderKL.load(Weights.of(checkpoint, manager, DataType.FLOAT32).at(AutoencoderKL.PREFIX));
    }

    @AfterAll
    static void close() {
        manager.close();
        checkpoint.close();
    }

    private static VaeSettings tiled(VaeTiling tiling) {
        return new VaeSettings(PaddingMode.ZEROS, vae.attention(), tiling);
    }

    @Test
    void tiledDecodeWithExactStatisticsEqualsThePlainDecode() {
        // 3×3 tiles; the 40-cell latent fits the statistics pass, so the statistics are the plain run's
        assertThat(tiledDecodeError(new VaeTiling(16, 20, 4, 64))).isLessThan(FULL_REACH_TOLERANCE);
        assertThat(tiledDecodeError(new VaeTiling(16, 8, 4, 64))).isLessThan(PAD_8_TOLERANCE);
    }

    private static double tiledDecodeError(VaeTiling tiling) {
        try (NDManager call = manager.newSubManager()) {
            NDArray latent = TorchCpuRandom.randn(call, 7, new Shape(1, 4, 40, 36));
            NDArray plain = vae.decode(latent);
            NDArray tiled = vae.decode(latent, tiled(tiling));
            double err = Tensors.maxAbs(tiled, plain);
            System.out.printf("tiled decode %s, exact statistics: max-abs %.3g (image range ±%.2f)%n", tiling, err,
                    plain.abs().max().getFloat());
            assertThat(tiled.getShape()).isEqualTo(plain.getShape());
            return err;
        }
    }

    @Test
    void tiledDecodeWithEstimatedStatisticsStaysCloseToThePlainDecode() {
        try (NDManager call = manager.newSubManager()) {
            NDArray latent = TorchCpuRandom.randn(call, 8, new Shape(1, 4, 48, 48));
            NDArray plain = vae.decode(latent);
            NDArray tiled = vae.decode(latent, tiled(new VaeTiling(16, 8, 4, 24))); // statistics from every 2nd cell
            double mean = tiled.sub(plain).abs().mean().getFloat();
            System.out.printf("tiled decode, estimated statistics: mean-abs %.3g max-abs %.3g%n", mean,
                    Tensors.maxAbs(tiled, plain));
            assertThat(mean).isLessThan(ESTIMATED_STATS_MEAN_TOLERANCE);
        }
    }

    @Test
    void tiledEncodeWithExactStatisticsEqualsThePlainEncode() {
        try (NDManager call = manager.newSubManager()) {
            NDArray image = TorchCpuRandom.randn(call, 9, new Shape(1, 3, 288, 320)).tanh();
            NDArray plain = vae.encodeMoments(image);
            NDArray tiled = vae.encodeMoments(image, tiled(new VaeTiling(16, 8, 4, 64)));
            double err = Tensors.maxAbs(tiled, plain);
            System.out.printf("tiled encode, exact statistics, pad 8: max-abs %.3g%n", err);
            assertThat(tiled.getShape()).isEqualTo(plain.getShape());
            assertThat(err).isLessThan(PAD_8_TOLERANCE);
        }
    }

    @Test
    void aLatentThatFitsOneTileDecodesPlainly() {
        try (NDManager call = manager.newSubManager()) {
            NDArray latent = TorchCpuRandom.randn(call, 10, new Shape(1, 4, 12, 16));
            NDArray plain = vae.decode(latent);
            assertThat(Tensors.maxAbs(vae.decode(latent, tiled(new VaeTiling(16, 8, 4, 64))), plain)).isZero();
        }
    }
}
