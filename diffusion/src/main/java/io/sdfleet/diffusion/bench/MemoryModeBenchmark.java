package io.sdfleet.diffusion.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.checkpoint.StoredType;
import io.sdfleet.diffusion.nn.Weights;
import io.sdfleet.diffusion.nn.PaddingMode;
import io.sdfleet.diffusion.nn.Sd1Layout;
import io.sdfleet.diffusion.nn.SyntheticTensorSource;
import io.sdfleet.diffusion.offload.MemoryMode;
import io.sdfleet.diffusion.loading.ModelOptions;
import io.sdfleet.diffusion.pipeline.ProgressListener;
import io.sdfleet.diffusion.loading.StableDiffusionModel;
import io.sdfleet.diffusion.pipeline.ImageGeneration;
import io.sdfleet.diffusion.runtime.MemoryProbe;
import io.sdfleet.diffusion.runtime.PeakMemory;
import io.sdfleet.diffusion.runtime.Torch;
import io.sdfleet.diffusion.runtime.TorchCpuRandom;
import io.sdfleet.diffusion.vae.AutoencoderKL;
import io.sdfleet.diffusion.vae.VaeSettings;
import io.sdfleet.diffusion.vae.VaeTiling;
import io.sdfleet.request.Batch;
import io.sdfleet.request.GenerationParameters;
import io.sdfleet.request.ImageSize;
import io.sdfleet.request.Noise;
import io.sdfleet.request.Prompt;
import io.sdfleet.request.Sampling;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Peak memory and time of each memory mode against plain mode, at several sizes, in one run: every measurement
 * runs in a fresh child JVM, because memory a run frees may stay resident and would hide the next run's peak.
 * Peak = the process's peak resident memory during the generation minus its resident memory once the model is
 * loaded (the CPU offers no better view of native tensor memory); seconds = wall clock of the generation.
 *
 * <p>Cases: a full txt2img on a given (small) model per mode; and, optionally, one VAE decode with the SD 1.5
 * VAE architecture (random weights) plain and tiled.
 */
public final class MemoryModeBenchmark {

    /** One configuration: how a model is loaded and run. */
    public enum Mode {
        PLAIN, MEDVRAM, LOWVRAM, ATTENTION_BUDGET, TILED_VAE, LOWVRAM_BUDGET_TILED;

        ModelOptions apply(ModelOptions base) {
            return switch (this) {
                case PLAIN -> base;
                case MEDVRAM -> base.withMemoryMode(MemoryMode.MEDVRAM);
                case LOWVRAM -> base.withMemoryMode(MemoryMode.LOWVRAM);
                case ATTENTION_BUDGET -> base.withAttentionBudget(ATTENTION_BUDGET_BYTES);
                case TILED_VAE -> base.withVaeTiling(VaeTiling.DEFAULT);
                case LOWVRAM_BUDGET_TILED -> base.withMemoryMode(MemoryMode.LOWVRAM)
                        .withAttentionBudget(ATTENTION_BUDGET_BYTES).withVaeTiling(VaeTiling.DEFAULT);
            };
        }
    }

    /** 64 MiB of attention scores per chunk. */
    static final long ATTENTION_BUDGET_BYTES = 64L << 20;

    public record Row(String mode, int size, long peakBytes, double seconds) {
    }

    private MemoryModeBenchmark() {
    }

    /**
     * Runs every mode at every size in child JVMs and prints the table.
     *
     * @param sd15Vae also time an SD 1.5-architecture VAE decode, plain and tiled, at each size
     */
    public static void run(Path model, Path tokenizer, List<Integer> sizes, int steps, boolean sd15Vae,
                           PrintStream out) {
        List<Row> rows = new ArrayList<>();
        for (int size : sizes) {
            for (Mode mode : Mode.values()) {
                rows.add(child(out, "txt2img", mode.name(), String.valueOf(size), String.valueOf(steps),
                        model.toString(), tokenizer == null ? "-" : tokenizer.toString()));
            }
            if (sd15Vae) {
                rows.add(child(out, "sd15-vae", "PLAIN", String.valueOf(size)));
                rows.add(child(out, "sd15-vae", "TILED_VAE", String.valueOf(size)));
            }
        }
        out.println();
        out.println("| case | mode | size | peak MB | seconds | peak vs plain | time vs plain |");
        out.println("|---|---|---|---|---|---|---|");
        for (Row row : rows) {
            String kind = row.mode().startsWith("sd15-vae") ? "sd15 VAE decode" : "txt2img " + steps + " steps";
            Row plain = rows.stream().filter(r -> r.size() == row.size()
                    && r.mode().startsWith("sd15-vae") == row.mode().startsWith("sd15-vae")
                    && r.mode().endsWith("PLAIN")).findFirst().orElse(row);
            out.printf(Locale.ROOT, "| %s | %s | %d² | %d | %.2f | %.2f | %.2f |%n", kind,
                    row.mode().replace("sd15-vae:", ""), row.size(), row.peakBytes() >> 20, row.seconds(),
                    (double) row.peakBytes() / plain.peakBytes(), row.seconds() / plain.seconds());
        }
    }

    /** Runs {@link #main} in a fresh JVM with this one's class path and heap; its last line is the result. */
    private static Row child(PrintStream out, String... args) {
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-Xmx" + (Runtime.getRuntime().maxMemory() >> 20) + "m", "-Dai.djl.offline=true",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-Dai.djl.pytorch.num_threads=" + System.getProperty("ai.djl.pytorch.num_threads",
                        String.valueOf(Runtime.getRuntime().availableProcessors())),
                "-Dai.djl.pytorch.num_interop_threads=1",
                "-cp", System.getProperty("java.class.path"), MemoryModeBenchmark.class.getName()));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String last = null;
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream()))) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    if (line.startsWith("result ")) {
                        last = line;
                    } else if (!line.isBlank() && !line.contains("WARN")) {
                        out.println("  " + line);
                    }
                }
            }
            if (process.waitFor() != 0 || last == null) {
                throw new IllegalStateException("benchmark child failed: " + String.join(" ", args));
            }
            String[] parts = last.split(" ");
            Row row = new Row(parts[1], Integer.parseInt(parts[2]), Long.parseLong(parts[3]),
                    Double.parseDouble(parts[4]));
            out.printf(Locale.ROOT, "%s %s %d²: peak %d MB, %.2f s%n", args[0], args[1], row.size(),
                    row.peakBytes() >> 20, row.seconds());
            return row;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Child entry: {@code txt2img MODE SIZE STEPS MODEL TOKENIZER|-} or {@code sd15-vae MODE SIZE}. */
    public static void main(String[] args) {
        Mode mode = Mode.valueOf(args[1]);
        int size = Integer.parseInt(args[2]);
        Row row = args[0].equals("sd15-vae") ? sd15VaeDecode(mode, size)
                : txt2img(mode, size, Integer.parseInt(args[3]), Path.of(args[4]),
                        args[5].equals("-") ? null : Path.of(args[5]));
        System.out.printf(Locale.ROOT, "result %s %d %d %.4f%n", row.mode(), row.size(), row.peakBytes(),
                row.seconds());
    }

    private static Row txt2img(Mode mode, int size, int steps, Path model, Path tokenizer) {
        try (StableDiffusionModel sd = StableDiffusionModel.load(model, mode.apply(ModelOptions.cpu(tokenizer)))) {
            GenerationParameters p = new GenerationParameters(new Prompt("a lighthouse on a cliff", "blurry", 1),
                    new ImageSize(size, size), new Batch(1, 1), Noise.of(1), new Sampling("Euler", "Automatic", steps, 7));
            return measure(mode.name(), size,
                    () -> new ImageGeneration(sd).generate(p, Optional.empty(), ProgressListener.NONE));
        }
    }

    private static Row sd15VaeDecode(Mode mode, int size) {
        try (NDManager manager = Torch.newManager(Device.cpu());
             SyntheticTensorSource source = new SyntheticTensorSource(Sd1Layout.tensors(Sd1Layout.SD15),
                     StoredType.F32, 1234)) {
            AutoencoderKL vae = AutoencoderKL.load(Weights.of(source, manager, DataType.FLOAT32).at(AutoencoderKL.PREFIX));
            VaeSettings settings = new VaeSettings(PaddingMode.ZEROS, vae.attention(),
                    mode == Mode.TILED_VAE ? VaeTiling.DEFAULT : null);
            NDArray latent = TorchCpuRandom.randn(manager, 1, new Shape(1, 4, size / 8, size / 8));
            return measure("sd15-vae:" + mode.name(), size, () -> vae.decode(latent, settings).close());
        }
    }

    private static Row measure(String mode, int size, Runnable body) {
        System.gc();
        long loaded = MemoryProbe.residentBytes();
        PeakMemory peak = PeakMemory.start(Device.cpu());
        long start = System.nanoTime();
        body.run();
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Row(mode, size, peak.peakBytes() - loaded, seconds);
    }
}
