package io.sdfleet.diffusion.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.image.ImageTensors;
import io.sdfleet.diffusion.image.LatentPreview;
import io.sdfleet.diffusion.image.PngFiles;
import io.sdfleet.diffusion.inpaint.Overlay;
import io.sdfleet.diffusion.model.NoisePredictor;
import io.sdfleet.diffusion.networks.NetworkDirectories;
import io.sdfleet.diffusion.networks.Networks;
import io.sdfleet.diffusion.prompt.ComposablePrompt;
import io.sdfleet.diffusion.runtime.PeakMemory;
import io.sdfleet.diffusion.sampling.CfgDenoiser;
import io.sdfleet.diffusion.sampling.DiscreteSchedule;
import io.sdfleet.diffusion.sampling.ImageNoise;
import io.sdfleet.diffusion.sampling.NoiseSource;
import io.sdfleet.diffusion.sampling.ReplayedNoise;
import io.sdfleet.diffusion.sampling.SamplerCatalog;
import io.sdfleet.diffusion.sampling.StepCallback;
import io.sdfleet.diffusion.vae.Autoencoder;
import io.sdfleet.diffusion.vae.AutoencoderKL;
import io.sdfleet.request.GenerationParameters;
import io.sdfleet.request.HiresFix;
import io.sdfleet.request.Sampling;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A generation as A1111 runs it — txt2img, img2img and inpainting, optionally followed by the hires fix: encode
 * prompt and negative prompt, draw each image's noise from its own seed (seed + k), sample with classifier-free
 * guidance (from noise, or from the init latents at the strength's noise level), upscale and refine for hires,
 * decode with the VAE, paste the original back outside an inpainting mask, and write PNGs carrying the infotext.
 * All intermediate arrays live in one sub-manager closed at the end of the run. What the run chooses (tiling, VAE,
 * hypernetworks, the model options' attention and VAE tiles) goes with its UNet and VAE calls as {@link RunSettings},
 * so the shared model is left as it was and runs on it need no reset.
 */
public final class Txt2Img {

    private final StableDiffusionModel model;
    private final PromptEncoder prompts;
    private final Networks networks;
    private final Path vaeFile;

    public Txt2Img(StableDiffusionModel model) {
        this(model, NetworkDirectories.none());
    }

    /** With the LoRAs, embeddings and hypernetworks a prompt may name looked up in {@code networks}. */
    public Txt2Img(StableDiffusionModel model, NetworkDirectories networkDirectories) {
        this(model, networkDirectories, null);
    }

    /** Same, decoding and encoding with the VAE in {@code vaeFile} (A1111's {@code sd_vae}); null: the checkpoint's. */
    public Txt2Img(StableDiffusionModel model, NetworkDirectories networkDirectories, Path vaeFile) {
        this.model = model;
        this.vaeFile = vaeFile;
        this.networks = new Networks(model, networkDirectories);
        this.prompts = new PromptEncoder(model, networks.embeddings());
    }

    public GenerationResult generate(GenerationParameters p, Optional<NoiseFile> noiseFile, ProgressListener progress) {
        List<String> problems = p.problems();
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        Sampling sampling = p.sampling();
        int batch = p.batch().size();
        SamplerCatalog.Choice choice = SamplerCatalog.choose(sampling.sampler(), sampling.scheduler());
        Optional<SamplerCatalog.Choice> hiresChoice = Optional.ofNullable(p.hires())
                .filter(h -> h.sampler() != null && !h.sampler().isBlank())
                .map(h -> SamplerCatalog.choose(h.sampler(), h.scheduler() == null ? sampling.scheduler() : h.scheduler()));
        int latentH = p.size().height() / 8;
        int latentW = p.size().width() / 8;
        noiseFile.ifPresent(f -> f.requireShape(batch, latentH, latentW));
        long[] seeds = new long[batch];
        long[] subseeds = new long[batch];
        for (int k = 0; k < seeds.length; k++) {
            seeds[k] = p.noise().seedOf(k);
            subseeds[k] = p.noise().subseedOf(k);
        }
        ImageNoise imageNoise = new ImageNoise(p.noise(), seeds, subseeds);
        DiscreteSchedule schedule = model.alphasCumprod().map(DiscreteSchedule::new).orElseGet(DiscreteSchedule::sdDefault);
        PeakMemory peak = PeakMemory.start(model.manager().getDevice());
        long start = System.nanoTime();
        try (Networks.Active active = networks.activate(p.prompt().positive()); NDManager run = model.manager().newSubManager()) {
            RunSettings settings = RunSettings.of(model, p.tiling(), active.contextTransform(), vaeFile);
            NoisePredictor unet = settings.unet(model);
            Autoencoder vae = settings.vae(model);
            List<CfgDenoiser.WeightedCondition> cond = composable(run, active.prompt(), sampling.steps(), p.prompt().clipSkip());
            PromptEncoder.Conditioning uncond = prompts.encode(run, p.prompt().negative(), sampling.steps(), p.prompt().clipSkip());
            NDArray noise = noiseFile.isPresent()
                    ? Tensors.create(run, noiseFile.get().initial(), new Shape(batch, 4, latentH, latentW))
                    : imageNoise.initial(run, new Shape(4, latentH, latentW));
            NoiseSource stepNoise = noiseFile.flatMap(NoiseFile::samplerNoises)
                    .<NoiseSource>map(t -> new ReplayedNoise(t.toFloats(), t.shape()))
                    .orElse(imageNoise);

            Img2ImgLatents img2img = p.img2img() == null ? null
                    : Img2ImgLatents.prepare(run, model, vae, p.img2img(), batch, p.size().width(), p.size().height(), noise);
            SamplingPass first = img2img == null
                    ? new SamplingPass(choice.sampler(), choice.scheduler(), sampling.steps(), null, noise, stepNoise, null, null,
                    blankConditioningIfInpaintingModel(run, vae, batch, latentW, latentH), cond, uncond, (float) sampling.cfgScale(), sampling.extras())
                    : new SamplingPass(choice.sampler(), choice.scheduler(), sampling.steps(),
                    Img2ImgSteps.of(sampling.steps(), p.img2img().denoisingStrength(), false), noise, stepNoise,
                    img2img.initLatent(), img2img.repaint(), img2img.imageCondition(), cond, uncond, (float) sampling.cfgScale(), sampling.extras());
            HiresPlan hires = p.hires() == null ? null : HiresPlan.of(p, hiresChoice.orElse(choice));
            int totalSteps = first.stepsRun() + (hires == null ? 0 : hires.steps().run());
            NDArray latents = first.run(unet, schedule, progressCallback(progress, peak, start, 0, totalSteps));
            if (hires != null) {
                latents = hiresPass(run, unet, vae, p, hires, latents, seeds, subseeds, cond, uncond, schedule,
                        progressCallback(progress, peak, start, first.stepsRun(), totalSteps));
            }
            float[] latentValues = latents.toType(DataType.FLOAT32, false).toFloatArray();
            NDArray decoded = vae.decode(latents.div(AutoencoderKL.SD_SCALE_FACTOR));
            List<BufferedImage> pixels = ImageTensors.toImages(decoded);
            peak.sample();
            List<GeneratedImage> images = new ArrayList<>();
            GenerationInfotext infotext = new GenerationInfotext(model, choice, hires, settings.vaeInfotext());
            for (int k = 0; k < pixels.size(); k++) {
                BufferedImage image = pixels.get(k);
                if (img2img != null) {
                    Optional<Overlay> overlay = img2img.overlays().get(k);
                    if (overlay.isPresent()) {
                        image = overlay.get().apply(image);
                    }
                }
                String text = infotext.format(p, seeds[k], subseeds[k]);
                byte[] png = PngFiles.encode(image, Map.of("parameters", text));
                images.add(new GeneratedImage(k, seeds[k], image, text, png));
            }
            return new GenerationResult(images, latentValues, latents.getShape().getShape(),
                    (System.nanoTime() - start) / 1e9, peak.peakBytes());
        }
    }

    /** A1111's hires fix second pass: upscale, fresh noise from the same seeds at the new size, fixed-steps img2img. */
    private NDArray hiresPass(NDManager run, NoisePredictor unet, Autoencoder vae, GenerationParameters p,
                              HiresPlan plan, NDArray latents, long[] seeds, long[] subseeds,
                              List<CfgDenoiser.WeightedCondition> cond, PromptEncoder.Conditioning uncond,
                              DiscreteSchedule schedule, StepCallback callback) {
        NDArray upscaled = HiresPlan.upscale(vae, plan, latents);
        int latentH = (int) upscaled.getShape().get(2);
        int latentW = (int) upscaled.getShape().get(3);
        HiresFix fix = p.hires();
        int steps = fix.effectiveSecondPassSteps(p.sampling().steps());
        List<CfgDenoiser.WeightedCondition> hrCond = fix.prompt() == null || fix.prompt().isBlank() ? cond
                : composable(run, fix.prompt(), steps, p.prompt().clipSkip());
        PromptEncoder.Conditioning hrUncond = fix.negativePrompt() == null || fix.negativePrompt().isBlank() ? uncond
                : prompts.encode(run, fix.negativePrompt(), steps, p.prompt().clipSkip());
        // A1111 starts a fresh image RNG with the same seeds at the new size.
        ImageNoise imageNoise = new ImageNoise(p.noise(), seeds, subseeds);
        NDArray noise = imageNoise.initial(run, new Shape(4, latentH, latentW));
        NDArray imageCondition = blankConditioningIfInpaintingModel(run, vae, p.batch().size(), latentW, latentH);
        SamplingPass second = new SamplingPass(plan.choice().sampler(), plan.choice().scheduler(), steps, plan.steps(),
                noise, imageNoise, upscaled, null, imageCondition, hrCond, hrUncond, (float) p.sampling().cfgScale(), p.sampling().extras());
        return second.run(unet, schedule, callback);
    }

    /**
     * The prompt's conditioning per sub-prompt: {@code a AND b :0.5} is composable diffusion (each part its own
     * prompt schedule and weight, as A1111); a prompt without AND is one part of weight 1. (The negative prompt is
     * never split, as in A1111.)
     */
    private List<CfgDenoiser.WeightedCondition> composable(NDManager run, String prompt, int steps, int clipSkip) {
        List<CfgDenoiser.WeightedCondition> parts = new ArrayList<>();
        for (ComposablePrompt.Part part : ComposablePrompt.split(prompt)) {
            PromptEncoder.Conditioning c = prompts.encode(run, part.text(), steps, clipSkip);
            parts.add(new CfgDenoiser.WeightedCondition(c::at, (float) part.weight()));
        }
        return parts;
    }

    private NDArray blankConditioningIfInpaintingModel(NDManager run, Autoencoder vae, int batch, int latentW,
                                                       int latentH) {
        return model.unet().inChannels() == 9
                ? Img2ImgLatents.blankConditioning(run, vae, batch, latentW, latentH) : null;
    }

    private static StepCallback progressCallback(ProgressListener progress, PeakMemory peak, long start, int offset,
                                                 int total) {
        int every = progress.previewEvery();
        return (step, passTotal, xNow, denoised) -> {
            peak.sample();
            progress.onStep(offset + step, total, (System.nanoTime() - start) / 1e9);
            if (every > 0 && (offset + step) % every == 0 && denoised != null) {
                progress.onPreview(offset + step, LatentPreview.of(denoised, 0));
            }
        };
    }
}
