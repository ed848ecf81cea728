package io.sdfleet.diffusion.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.sdfleet.diffusion.bench.EngineBenchmark;
import io.sdfleet.diffusion.bench.MemoryModeBenchmark;
import io.sdfleet.diffusion.bench.SdxlBenchmark;
import io.sdfleet.diffusion.checkpoint.StoredType;
import io.sdfleet.diffusion.checkpoint.TensorSource;
import io.sdfleet.diffusion.nn.Weights;
import io.sdfleet.diffusion.clip.ClipTextModel;
import io.sdfleet.diffusion.nn.Sd1Layout;
import io.sdfleet.diffusion.nn.SdxlLayout;
import io.sdfleet.diffusion.nn.SyntheticTensorSource;
import io.sdfleet.diffusion.loading.ModelSidecar;
import io.sdfleet.diffusion.runtime.Torch;
import io.sdfleet.diffusion.starter.RandomModel;
import io.sdfleet.diffusion.unet.UNetModel;
import io.sdfleet.diffusion.vae.AutoencoderKL;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * {@code ./sd bench [--model PATH | --arch sd15|sdxl] [--width W --height H] [--batch-size N] [--steps N] [--threads N]
 * [--device cpu|gpu] [--precision fp32|fp16] [--no-warmup]}: times text encoding, UNet steps and a VAE decode; the last line
 * printed is one JSON object. {@code --arch sdxl} builds SDXL base 1.0 (random weights) and defaults to 1024².
 */
final class BenchCommand {

    private BenchCommand() {
    }

    /**
     * {@code ./sd bench --memory-modes [--model PATH --tokenizer PATH] [--sizes 512,1024] [--steps N] [--sd15-vae]}:
     * peak memory and time of every memory mode against plain mode (default model: the random starter model).
     */
    private static void runMemoryModes(Arguments a, PrintStream out) {
        String model = a.string("model", null);
        String tokenizer = a.string("tokenizer", null);
        List<Integer> sizes = Arrays.stream(a.string("sizes", "512,1024").split(","))
                .map(String::trim).map(Integer::parseInt).toList();
        int steps = a.integer("steps", 2);
        boolean sd15Vae = a.flag("sd15-vae");
        a.rejectUnknown();
        sizes.forEach(s -> Options.requireMultipleOf8("sizes", s));
        Path checkpoint = model != null ? Path.of(model)
                : RandomModel.ensure(Path.of(System.getProperty("java.io.tmpdir"),
                        "sdfleet-bench-model"));
        Path tokenizerPath = tokenizer != null ? Path.of(tokenizer) : null;
        out.printf("bench memory modes: %s, sizes %s, %d steps%n", checkpoint, sizes, steps);
        MemoryModeBenchmark.run(checkpoint, tokenizerPath, sizes, steps, sd15Vae, out);
    }

    static void run(List<String> args, PrintStream out) {
        Arguments a = Arguments.parse(args, Set.of("memory-modes", "sd15-vae", "no-warmup"));
        if (a.flag("memory-modes")) {
            runMemoryModes(a, out);
            return;
        }
        String model = a.string("model", null);
        String arch = a.string("arch", null);
        boolean sdxl = "sdxl".equalsIgnoreCase(arch);
        int width = a.integer("width", sdxl ? 1024 : 512);
        int height = a.integer("height", sdxl ? 1024 : 512);
        int batch = a.integer("batch-size", 1);
        int steps = a.integer("steps", 3);
        int threads = a.integer("threads", Runtime.getRuntime().availableProcessors());
        boolean warmUp = !a.flag("no-warmup");
        Device device = Torch.device(a.string("device", "cpu"));
        DataType precision = Options.precision(a.string("precision", device.isGpu() ? "fp16" : "fp32"));
        a.rejectUnknown();
        if ((model == null) == (arch == null)) {
            throw new UsageException("give exactly one of --model PATH or --arch sd15|sdxl");
        }
        if (arch != null && !arch.equalsIgnoreCase("sd15") && !sdxl) {
            throw new UsageException("--arch must be sd15 or sdxl, got '" + arch + "'");
        }
        Options.requireMultipleOf8("width", width);
        Options.requireMultipleOf8("height", height);
        if (steps < 1 || batch < 1 || threads < 1) {
            throw new UsageException("--steps, --batch-size and --threads must be at least 1");
        }
        // libtorch reads its thread counts once, when the engine starts.
        System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        if (sdxl) {
            out.println(SdxlBenchmark.run(SdxlLayout.BASE, device, precision, width, height, batch, steps, threads, warmUp,
                    out)
                    .toJson());
            return;
        }

        try (NDManager manager = Torch.newManager(device);
             TensorSource source = arch != null
                     ? new SyntheticTensorSource(Sd1Layout.tensors(Sd1Layout.SD15),
                             precision == DataType.FLOAT16 ? StoredType.F16 : StoredType.F32, 1234)
                     : Options.openCheckpoint(Path.of(model))) {
            Weights root = Weights.of(source, manager, precision);
            Weights textWeights = root.at(ClipTextModel.PREFIX);
            int heads = model == null ? 12
                    : ModelSidecar.near(Path.of(model)).textHeadsFor(textWeights.shape("embeddings.token_embedding.weight")[1]);
            ClipTextModel text = ClipTextModel.load(textWeights, heads);
            UNetModel unet = UNetModel.load(root.at(UNetModel.PREFIX));
            AutoencoderKL vae = AutoencoderKL.load(root.at(AutoencoderKL.PREFIX));
            out.printf("bench: %s, %dx%d, batch %d, %d steps, %d threads, %s%n",
                    arch != null ? "SD 1.5 architecture, random weights" : model, width, height, batch, steps, threads,
                    precision == DataType.FLOAT16 ? "fp16" : "fp32");
            EngineBenchmark bench = new EngineBenchmark(text, unet, vae);
            EngineBenchmark.Result result = (warmUp ? bench : bench.withoutWarmUp()).run(manager, width, height, batch, steps, threads);
            out.println(result.toJson());
        }
    }
}
