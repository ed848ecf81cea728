package io.sdfleet.diffusion.cli;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.sdfleet.diffusion.checkpoint.SafetensorsWriter;
import io.sdfleet.diffusion.networks.NetworkDirectories;
import io.sdfleet.diffusion.offload.MemoryMode;
import io.sdfleet.diffusion.pipeline.GeneratedImage;
import io.sdfleet.diffusion.pipeline.GenerationResult;
import io.sdfleet.diffusion.loading.ModelOptions;
import io.sdfleet.diffusion.pipeline.NoiseFile;
import io.sdfleet.diffusion.loading.StableDiffusionModel;
import io.sdfleet.diffusion.pipeline.ImageGeneration;
import io.sdfleet.diffusion.upscale.UpscalerLibrary;
import io.sdfleet.diffusion.runtime.Torch;
import io.sdfleet.diffusion.vae.VaeTiling;
import io.sdfleet.request.Batch;
import io.sdfleet.request.GenerationParameters;
import io.sdfleet.request.HiresFix;
import io.sdfleet.request.ImageSize;
import io.sdfleet.request.ModelChoice;
import io.sdfleet.request.Refiner;
import io.sdfleet.request.Noise;
import io.sdfleet.request.Prompt;
import io.sdfleet.request.RngSource;
import io.sdfleet.request.Sampling;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code ./sd txt2img} and {@code ./sd img2img}: one batch from a prompt (and for img2img an init image, optionally
 * a mask), with the hires fix and tiling on request; PNGs with A1111 infotext in --out.
 */
final class GenerateCommand {

    private static final Set<String> SWITCHES = Set.of("enable-hr", "tiling", "inpaint-full-res", "inpainting-mask-invert",
            "medvram", "lowvram", "tiled-vae");

    private GenerateCommand() {
    }

    static void run(List<String> args, PrintStream out, boolean img2img) {
        Arguments a = Arguments.parse(args, SWITCHES);
        Path modelPath = a.existingPath("model");
        if (modelPath == null) {
            throw new UsageException("missing required option --model");
        }
        String prompt = a.required("prompt");
        long seed = a.longValue("seed", -1);
        if (seed < -1 || seed > 0xFFFFFFFFL) {
            throw new UsageException("--seed must be -1 (random) or between 0 and 4294967295, got " + seed);
        }
        if (seed == -1) {
            seed = new SecureRandom().nextLong(0x1_0000_0000L); // A1111 draws random seeds below 2^32
        }
        Sampling sampling = new Sampling(a.string("sampler", Sampling.DEFAULT_SAMPLER),
                a.string("scheduler", Sampling.DEFAULT_SCHEDULER), a.integer("steps", 20), a.decimal("cfg-scale", 7.0));
        GenerationParameters p = new GenerationParameters(
                new Prompt(prompt, a.string("negative-prompt", ""), a.integer("clip-skip", 1)),
                new ImageSize(a.integer("width", 512), a.integer("height", 512), a.integer("sdxl-crop-top", 0),
                        a.integer("sdxl-crop-left", 0)), new Batch(a.integer("batch-size", 1), 1),
                noise(a, seed), sampling).withTiling(a.flag("tiling"));
        if (img2img) {
            p = p.withImg2Img(Img2ImgOptions.read(a));
        }
        if (a.flag("enable-hr")) {
            if (img2img) {
                throw new UsageException("--enable-hr applies to txt2img only");
            }
            p = p.withHires(new HiresFix(a.decimal("hr-scale", 2.0), a.integer("hr-resize-x", 0), a.integer("hr-resize-y", 0),
                    a.string("hr-upscaler", HiresFix.DEFAULT_UPSCALER), a.integer("hr-second-pass-steps", 0),
                    a.decimal("denoising-strength", 0.7), a.string("hr-sampler", null), null,
                    a.string("hr-prompt", null), a.string("hr-negative-prompt", null)));
        }
        // SDXL's refiner: a second checkpoint that takes over at --refiner-switch-at (A1111's default 0.8)
        Path refinerPath = a.existingPath("refiner");
        double switchAt = a.decimal("refiner-switch-at", 0.8);
        if (refinerPath != null) {
            p = p.withModels(new ModelChoice(null, null, new Refiner(refinerPath.getFileName().toString(), switchAt)));
        }
        NetworkDirectories networks = new NetworkDirectories(Optional.ofNullable(a.existingPath("lora-dir")),
                Optional.ofNullable(a.existingPath("embeddings-dir")), Optional.ofNullable(a.existingPath("hypernetwork-dir")));
        Path vae = a.existingPath("vae");
        UpscalerLibrary upscalers = new UpscalerLibrary(Optional.ofNullable(a.existingPath("esrgan-dir")),
                Optional.ofNullable(a.existingPath("realesrgan-dir")));
        // A1111's --medvram / --lowvram, its attention memory budget and a tiled VAE for large images.
        boolean medvram = a.flag("medvram");
        boolean lowvram = a.flag("lowvram");
        if (medvram && lowvram) {
            throw new UsageException("--medvram and --lowvram exclude each other");
        }
        MemoryMode memoryMode = lowvram ? MemoryMode.LOWVRAM : medvram ? MemoryMode.MEDVRAM : MemoryMode.PLAIN;
        int attentionBudgetMb = a.integer("attention-budget-mb", 0);
        if (attentionBudgetMb < 0) {
            throw new UsageException("--attention-budget-mb must not be negative, got " + attentionBudgetMb);
        }
        boolean tiledVae = a.flag("tiled-vae");
        Path tokenizer = a.existingPath("tokenizer");
        Path noisePath = a.existingPath("noise-file");
        String latentsOut = a.string("latents-out", null);
        Path outDir = Path.of(a.string("out", "outputs"));
        Device device = Torch.device(a.string("device", "cpu"));
        DataType precision = Options.precision(a.string("precision", device.isGpu() ? "fp16" : "fp32"));
        a.rejectUnknown();
        if (p.hires() != null) {
            try {
                upscalers.file(p.hires().upscaler()); // before the model is loaded
            } catch (UpscalerLibrary.MissingUpscalerException e) {
                throw new UsageException(e.getMessage() + " (see --esrgan-dir, --realesrgan-dir)");
            }
        }
        Options.requireMultipleOf8("width", p.size().width());
        Options.requireMultipleOf8("height", p.size().height());
        List<String> problems = p.problems();
        if (!problems.isEmpty()) {
            throw new UsageException(problems.get(0));
        }
        Optional<NoiseFile> noise = Optional.ofNullable(noisePath).map(NoiseFile::read);

        ModelOptions options = ModelOptions.cpu(tokenizer).withDevice(device, precision)
                .withMemoryMode(memoryMode)
                .withAttentionBudget(attentionBudgetMb * 1024L * 1024L)
                .withVaeTiling(tiledVae ? VaeTiling.DEFAULT : null);
        try (StableDiffusionModel model = StableDiffusionModel.load(modelPath, options);
             StableDiffusionModel refiner = refinerPath == null ? null : StableDiffusionModel.load(refinerPath, options)) {
            ProgressBar bar = new ProgressBar(System.err);
            ImageGeneration generation = new ImageGeneration(model, networks, vae, upscalers);
            if (refiner != null) {
                generation = generation.withRefiner(refiner);
            }
            GenerationResult result = generation.generate(p, noise, bar);
            bar.finish();
            Files.createDirectories(outDir);
            for (GeneratedImage image : result.images()) {
                Path file = outDir.resolve(String.format("%05d-%d.png", nextIndex(outDir), image.seed()));
                Files.write(file, image.png());
                out.println(file);
            }
            if (latentsOut != null) {
                new SafetensorsWriter().putFloats("latents", result.latentShape(), result.latents()).write(Path.of(latentsOut));
            }
            out.printf("done in %.1f s, peak memory %d MB%n", result.seconds(), result.peakMemoryBytes() / (1024 * 1024));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The seed with --rng, variation seed, seed resize and ENSD, as A1111's API fields name them. */
    private static Noise noise(Arguments a, long seed) {
        long subseed = a.longValue("subseed", -1);
        if (subseed == -1) {
            subseed = new SecureRandom().nextLong(0x1_0000_0000L);
        }
        try {
            return new Noise(seed, subseed, a.decimal("subseed-strength", 0), a.integer("seed-resize-from-w", 0),
                    a.integer("seed-resize-from-h", 0), RngSource.parse(a.string("rng", "cpu")), a.longValue("ensd", 0));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--rng: " + e.getMessage());
        }
    }

    /** A1111 numbers images in its output folder; so do we, continuing after the highest number present. */
    private static int nextIndex(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString())
                    .filter(n -> n.matches("\\d{5}-.*\\.png"))
                    .mapToInt(n -> Integer.parseInt(n.substring(0, 5)))
                    .max().orElse(-1) + 1;
        }
    }
}
