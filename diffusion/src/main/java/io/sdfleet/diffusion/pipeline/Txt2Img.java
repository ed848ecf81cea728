package io.sdfleet.diffusion.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.image.ImageTensors;
import io.sdfleet.diffusion.image.PngFiles;
import io.sdfleet.diffusion.infotext.Infotext;
import io.sdfleet.diffusion.prompt.ComposablePrompt;
import io.sdfleet.diffusion.runtime.PeakMemory;
import io.sdfleet.diffusion.sampling.CfgDenoiser;
import io.sdfleet.diffusion.sampling.DiscreteSchedule;
import io.sdfleet.diffusion.sampling.ImageNoise;
import io.sdfleet.diffusion.sampling.NoiseSource;
import io.sdfleet.diffusion.sampling.ReplayedNoise;
import io.sdfleet.diffusion.sampling.SamplerCatalog;
import io.sdfleet.diffusion.sampling.SamplerSpec;
import io.sdfleet.diffusion.sampling.Scheduler;
import io.sdfleet.diffusion.sampling.StepCallback;
import io.sdfleet.diffusion.vae.AutoencoderKL;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Text to image, as A1111 runs it: encode prompt and negative prompt, draw each image's noise from its own seed
 * (seed + k), scale it to σ_max, let the sampler denoise with classifier-free guidance, decode with the VAE and
 * write PNGs carrying the infotext. All intermediate arrays live in one sub-manager closed at the end of the run.
 */
public final class Txt2Img {

    private final StableDiffusionModel model;
    private final PromptEncoder prompts;

    public Txt2Img(StableDiffusionModel model) {
        this.model = model;
        this.prompts = new PromptEncoder(model);
    }

    public GenerationResult generate(GenerationParameters p, Optional<NoiseFile> noiseFile, ProgressListener progress) {
        List<String> problems = p.problems();
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        for (String text : List.of(p.prompt(), p.negativePrompt())) {
            if (ComposablePrompt.split(text).size() > 1) {
                // A1111 would run composable diffusion here; treating AND as words would silently change the image.
                throw new IllegalArgumentException("prompt uses AND (composable diffusion), which this engine does not support yet");
            }
        }
        SamplerCatalog.Choice choice = SamplerCatalog.choose(p.sampler(), p.scheduler());
        SamplerSpec sampler = choice.sampler();
        Scheduler scheduler = choice.scheduler();
        int latentH = p.height() / 8;
        int latentW = p.width() / 8;
        noiseFile.ifPresent(f -> f.requireShape(p.batchSize(), latentH, latentW));
        long[] seeds = new long[p.batchSize()];
        long[] subseeds = new long[p.batchSize()];
        for (int k = 0; k < seeds.length; k++) {
            seeds[k] = p.seedOf(k);
            subseeds[k] = p.subseedOf(k);
        }
        ImageNoise imageNoise = new ImageNoise(p.noise(), seeds, subseeds);
        DiscreteSchedule schedule = model.alphasCumprod().map(DiscreteSchedule::new).orElseGet(DiscreteSchedule::sdDefault);
        PeakMemory peak = PeakMemory.start(model.manager().getDevice());
        long start = System.nanoTime();
        try (NDManager run = model.manager().newSubManager()) {
            PromptEncoder.Conditioning cond = prompts.encode(run, p.prompt(), p.steps(), p.clipSkip());
            PromptEncoder.Conditioning uncond = prompts.encode(run, p.negativePrompt(), p.steps(), p.clipSkip());
            Shape perImage = new Shape(4, latentH, latentW);
            NDArray noise = noiseFile.isPresent()
                    ? Tensors.create(run, noiseFile.get().initial(), new Shape(p.batchSize(), 4, latentH, latentW))
                    : imageNoise.initial(run, perImage);
            NoiseSource stepNoise = noiseFile.flatMap(NoiseFile::samplerNoises)
                    .<NoiseSource>map(t -> new ReplayedNoise(t.toFloats(), t.shape()))
                    .orElse(imageNoise);
            float[] sigmas = sampler.usesTimesteps() ? null : sampler.sigmas(schedule, scheduler, p.steps());
            // A1111 looks the conditioning up by denoiser call (prompt editing).
            CfgDenoiser denoiser = new CfgDenoiser(model.unet(), schedule, cond::at, uncond::at, (float) p.cfgScale());
            StepCallback callback = (step, total, xNow, denoised) -> {
                peak.sample();
                progress.onStep(step, total, (System.nanoTime() - start) / 1e9);
            };
            NDArray latents = sampler.run().sample(new SamplerSpec.Inputs(denoiser, denoiser::guidedEps, noise,
                    sigmas, schedule.alphasCumprod(), p.steps(), stepNoise, callback));
            float[] latentValues = latents.toType(DataType.FLOAT32, false).toFloatArray();
            NDArray decoded = model.vae().decode(latents.div(AutoencoderKL.SD_SCALE_FACTOR));
            List<BufferedImage> pixels = ImageTensors.toImages(decoded);
            peak.sample();
            List<GeneratedImage> images = new ArrayList<>();
            for (int k = 0; k < pixels.size(); k++) {
                String infotext = infotext(p, sampler, scheduler, seeds[k], subseeds[k]);
                byte[] png = PngFiles.encode(pixels.get(k), Map.of("parameters", infotext));
                images.add(new GeneratedImage(k, seeds[k], pixels.get(k), infotext, png));
            }
            return new GenerationResult(images, latentValues, latents.getShape().getShape(),
                    (System.nanoTime() - start) / 1e9, peak.peakBytes());
        }
    }

    private String infotext(GenerationParameters p, SamplerSpec sampler, Scheduler scheduler, long seed, long subseed) {
        Map<String, String> params = new java.util.LinkedHashMap<>();
        params.put("Steps", String.valueOf(p.steps()));
        params.put("Sampler", sampler.name());
        params.put("Schedule type", sampler.usesTimesteps() ? scheduler.label() : sampler.resolve(scheduler).label());
        params.put("CFG scale", Numbers.compact(p.cfgScale()));
        params.put("Seed", String.valueOf(seed));
        params.put("Size", p.width() + "x" + p.height());
        params.put("Model hash", model.shortHash());
        params.put("Model", model.name());
        params.putAll(NoiseInfotext.variation(p.noise(), subseed));
        if (p.clipSkip() > 1) {
            params.put("Clip skip", String.valueOf(p.clipSkip()));
        }
        params.putAll(NoiseInfotext.ensd(p.noise(), sampler.stochastic()));
        params.put("RNG", p.noise().source().label());
        params.put("Version", Version.CURRENT);
        return new Infotext(p.prompt(), p.negativePrompt(), params).format();
    }
}
