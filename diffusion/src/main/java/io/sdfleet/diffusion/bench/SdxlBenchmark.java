package io.sdfleet.diffusion.bench;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.sdfleet.diffusion.checkpoint.StoredTensor;
import io.sdfleet.diffusion.checkpoint.StoredType;
import io.sdfleet.diffusion.loading.ModelOptions;
import io.sdfleet.diffusion.loading.StableDiffusionModel;
import io.sdfleet.diffusion.nn.SdxlLayout;
import io.sdfleet.diffusion.nn.SyntheticTensorSource;
import io.sdfleet.diffusion.nn.SyntheticTensorSource.TensorSpec;
import io.sdfleet.diffusion.unet.UNetModel;
import io.sdfleet.diffusion.vae.AutoencoderKL;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * {@link EngineBenchmark} on an SDXL architecture with random weights: the layout's tensors are synthesised
 * ({@link SyntheticTensorSource}) and loaded as a checkpoint would be, so the bench runs the loader's SDXL
 * detection, both text towers, the UNet with its label embedding and the SDXL VAE exactly as generation does.
 */
public final class SdxlBenchmark {

    private SdxlBenchmark() {
    }

    /**
     * Loads {@code config} (random weights) on {@code device} in {@code precision} and times it at
     * {@code width}×{@code height}, printing what was built to {@code out}.
     *
     * @param warmUp whether each stage runs once untimed first ({@link EngineBenchmark#withoutWarmUp})
     */
    public static EngineBenchmark.Result run(SdxlLayout.Config config, Device device, DataType precision, int width,
                                             int height, int batchSize, int steps, int threads, boolean warmUp,
                                             PrintStream out) {
        Map<String, TensorSpec> layout = SdxlLayout.tensors(config);
        StoredType stored = precision == DataType.FLOAT16 ? StoredType.F16 : StoredType.F32;
        long start = System.nanoTime();
        // the path only names the model: nothing is read from it (no sidecar, yaml or tokenizer is there)
        Path name = Path.of(System.getProperty("java.io.tmpdir"), "sdfleet-bench-sdxl", "random-sdxl.safetensors");
        try (StableDiffusionModel model = StableDiffusionModel.load(new SyntheticTensorSource(layout, stored, 1234),
                name, ModelOptions.cpu(null).withDevice(device, precision))) {
            out.printf(Locale.ROOT, "bench: SDXL architecture (%s), random weights, %.1f s to build; parameters: "
                            + "UNet %.3fB, text %.3fB, VAE %.1fM%n", model.type(), seconds(start),
                    parameters(layout, UNetModel.PREFIX) / 1e9, parameters(layout, "conditioner.") / 1e9,
                    parameters(layout, AutoencoderKL.PREFIX) / 1e6);
            out.printf("bench: %dx%d, batch %d, %d steps, %d threads, %s%n", width, height, batchSize, steps, threads,
                    precision == DataType.FLOAT16 ? "fp16" : "fp32");
            BenchConditioner text = BenchConditioner.sdxl(model.sdxlTextEncoders().orElseThrow(), width, height);
            EngineBenchmark bench = new EngineBenchmark(text, model.unet(), model.vae());
            return (warmUp ? bench : bench.withoutWarmUp()).run(model.manager(), width, height, batchSize, steps, threads);
        }
    }

    /** Float parameters under {@code prefix} (what the weights cost: × 2 bytes in fp16, × 4 in fp32). */
    public static long parameters(Map<String, TensorSpec> layout, String prefix) {
        return layout.entrySet().stream()
                .filter(e -> e.getKey().startsWith(prefix) && e.getValue().type() == null)
                .mapToLong(e -> StoredTensor.elementCount(e.getValue().shape()))
                .sum();
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
