package io.sdfleet.diffusion.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.image.ImageTensors;
import io.sdfleet.diffusion.image.PixelPlanes;
import io.sdfleet.diffusion.image.PngFiles;
import io.sdfleet.diffusion.infotext.GenerationInfotext;
import io.sdfleet.diffusion.inpaint.Overlay;
import io.sdfleet.diffusion.loading.StableDiffusionModel;
import io.sdfleet.diffusion.model.NoisePredictor;
import io.sdfleet.diffusion.networks.NetworkDirectories;
import io.sdfleet.diffusion.networks.Networks;
import io.sdfleet.diffusion.runtime.PeakMemory;
import io.sdfleet.diffusion.model.ConditioningSchedule;
import io.sdfleet.diffusion.sampling.CfgDenoiser;
import io.sdfleet.diffusion.sampling.DiscreteSchedule;
import io.sdfleet.diffusion.sampling.ImageNoise;
import io.sdfleet.diffusion.sampling.NoiseSource;
import io.sdfleet.diffusion.sampling.ReplayedNoise;
import io.sdfleet.diffusion.upscale.Resizer;
import io.sdfleet.diffusion.upscale.Upscaler;
import io.sdfleet.diffusion.restore.FaceRestorationNetwork;
import io.sdfleet.diffusion.restore.restorer.FaceRestorer;
import io.sdfleet.diffusion.restore.restorer.FaceRestorerLibrary;
import io.sdfleet.diffusion.upscale.UpscalerLibrary;
import io.sdfleet.diffusion.vae.Autoencoder;
import io.sdfleet.request.FaceRestoration;
import io.sdfleet.request.GenerationParameters;
import io.sdfleet.request.HiresFix;
import io.sdfleet.request.ImageSize;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A generation as A1111 runs it — txt2img, img2img and inpainting, optionally followed by the hires fix — in the
 * steps {@link #generate} numbers: check the request, encode prompt and negative prompt, draw each image's noise from
 * its own seed (seed + k), sample with classifier-free guidance (from noise, or from the init latents at the
 * strength's noise level), upscale and refine for hires, decode with the VAE, then paste the original back outside an
 * inpainting mask and write PNGs carrying the infotext. All intermediate arrays live in one sub-manager closed at the
 * end of the run. What the run chooses (tiling, VAE, hypernetworks, the model options' attention and VAE tiles) goes
 * with its UNet and VAE calls as {@link RunSettings}, so the shared model is left as it was and runs on it need no
 * reset. A hires fix with a model upscaler reads it from the {@link UpscalerLibrary} for the upscale only; restore
 * faces reads its networks from the {@link FaceRestorerLibrary} for the restoration only. An SDXL refiner, loaded by
 * the caller ({@link #withRefiner}), takes over a pass at the request's switch point ({@link RefinerHandOff}).
 */
public final class ImageGeneration {

    private final StableDiffusionModel model;
    private final PromptEncoder prompts;
    private final NetworkDirectories networkDirectories;
    private final Networks networks;
    private final Path vaeFile;
    private final UpscalerLibrary upscalers;
    private final FaceRestorerLibrary restorers;
    private final StableDiffusionModel refiner;
    private final PromptEncoder refinerPrompts;

    public ImageGeneration(StableDiffusionModel model) {
        this(model, NetworkDirectories.none());
    }

    /** With the LoRAs, embeddings and hypernetworks a prompt may name looked up in {@code networks}. */
    public ImageGeneration(StableDiffusionModel model, NetworkDirectories networkDirectories) {
        this(model, networkDirectories, null);
    }

    /** Same, decoding and encoding with the VAE in {@code vaeFile} (A1111's {@code sd_vae}); null: the checkpoint's. */
    public ImageGeneration(StableDiffusionModel model, NetworkDirectories networkDirectories, Path vaeFile) {
        this(model, networkDirectories, vaeFile, UpscalerLibrary.none());
    }

    /** Same, the hires fix finding the model upscalers it names (ESRGAN, Real-ESRGAN) in {@code upscalers}. */
    public ImageGeneration(StableDiffusionModel model, NetworkDirectories networkDirectories, Path vaeFile,
                           UpscalerLibrary upscalers) {
        this(model, networkDirectories, vaeFile, upscalers, FaceRestorerLibrary.none());
    }

    /** Same, restore faces finding the restorer it names (CodeFormer, GFPGAN) in {@code restorers}. */
    public ImageGeneration(StableDiffusionModel model, NetworkDirectories networkDirectories, Path vaeFile,
                           UpscalerLibrary upscalers, FaceRestorerLibrary restorers) {
        this.model = model;
        this.vaeFile = vaeFile;
        this.upscalers = upscalers;
        this.restorers = restorers;
        this.networkDirectories = networkDirectories;
        this.networks = new Networks(model, networkDirectories);
        this.prompts = new PromptEncoder(model, networks);
        this.refiner = null;
        this.refinerPrompts = null;
    }

    private ImageGeneration(ImageGeneration base, StableDiffusionModel refiner) {
        this.model = base.model;
        this.vaeFile = base.vaeFile;
        this.upscalers = base.upscalers;
        this.restorers = base.restorers;
        this.networkDirectories = base.networkDirectories;
        this.networks = base.networks;
        this.prompts = base.prompts;
        this.refiner = refiner;
        // the refiner's own embeddings: A1111's shape rule offers it only files of its tower's width
        this.refinerPrompts = new PromptEncoder(refiner, new Networks(refiner, base.networkDirectories));
    }

    /**
     * The same generation with an SDXL refiner loaded for requests that name one ({@code refiner_checkpoint}): it
     * takes over at the request's switch point with its own conditioning, and decodes with its VAE.
     */
    public ImageGeneration withRefiner(StableDiffusionModel refinerModel) {
        return new ImageGeneration(this, refinerModel);
    }

    /** What one run works with: its arrays' manager, and the UNet and VAE as its settings call them. */
    private record Run(NDManager arrays, NoisePredictor unet, Autoencoder vae, DiscreteSchedule schedule) {
    }

    public GenerationResult generate(GenerationParameters p, Optional<NoiseFile> noiseFile, ProgressListener progress) {
        // 1. Check the request and plan its passes before anything is allocated.
        check(p, noiseFile);
        SamplerChoices samplers = SamplerChoices.of(p.sampling(), p.hires());
        BatchSeeds seeds = BatchSeeds.of(p.noise(), p.batch().size());
        DiscreteSchedule schedule = model.alphasCumprod().map(DiscreteSchedule::new).orElseGet(DiscreteSchedule::sdDefault);
        PeakMemory peak = PeakMemory.start(model.manager().getDevice());
        long start = System.nanoTime();
        try (Networks.Active active = networks.activate(p.prompt().positive()); NDManager arrays = model.manager().newSubManager()) {
            RunSettings settings = RunSettings.of(model, p.tiling(), active.contextTransform(), vaeFile);
            Run run = new Run(arrays, settings.unet(model), settings.vae(model), schedule);

            // 2. Encode the prompts (the positive one without its network tags).
            PromptConditioning conditioning = prompts.encode(arrays, active.prompt(), p.prompt().negative(),
                    p.sampling().steps(), p.prompt().clipSkip(), p.size());
            // The SDXL refiner takes over the first pass, or with the hires fix the hires pass only (A1111's default
            // hires_fix_refiner_pass, "second pass").
            Run refinerRun = refinerRun(p, arrays);

            // 3. The initial noise: each image's own seeds, or a noise file's recorded draws.
            ImageNoise imageNoise = new ImageNoise(p.noise(), seeds.seeds(), seeds.subseeds());
            InitialNoise noise = initialNoise(run, p, imageNoise, noiseFile);

            // 4. The first pass: txt2img from the noise, or img2img / inpainting from the init image.
            Img2ImgLatents img2img = p.img2img() == null ? null : Img2ImgLatents.prepare(arrays, model, run.vae(),
                    p.img2img(), p.batch().size(), p.size().width(), p.size().height(), noise.latents(),
                    img2imgUpscaler(p, arrays));
            SamplingPass first = firstPass(run, p, samplers, conditioning, noise, img2img);
            HiresPlan hires = p.hires() == null ? null : HiresPlan.of(p, samplers.hires());
            RunProgress runProgress = new RunProgress(progress, peak, start,
                    first.stepsRun() + (hires == null ? 0 : hires.steps().run()));
            Optional<RefinerTarget> firstRefiner = hires == null
                    ? refinerTarget(p, refinerRun, active.prompt(), p.prompt().negative(), p.sampling().steps(), p.size())
                    : Optional.empty();
            NDArray latents = first.run(run.unet(), schedule, runProgress.passStartingAt(0), firstRefiner);
            boolean refined = first.handedOffToRefiner();

            // 5. The hires fix's second pass at the target size.
            if (hires != null) {
                SamplingPass second = hiresPass(run, p, hires, latents, seeds, conditioning, active.prompt());
                latents = second.run(run.unet(), run.schedule(), runProgress.passStartingAt(first.stepsRun()),
                        hiresRefiner(p, refinerRun, active.prompt(), hires));
                refined = second.handedOffToRefiner();
            }

            // 6. Decode the latents to pixels, with the refiner's VAE when it took over (as A1111, whose model it is
            //    by then).
            Autoencoder decoder = refined ? refinerRun.vae() : run.vae();
            float[] latentValues = latents.toType(DataType.FLOAT32, false).toFloatArray();
            List<BufferedImage> pixels = ImageTensors.toImages(decoder.decode(latents.div(decoder.scaleFactor())));
            peak.sample();

            // 7. Restore faces in each 8-bit image, before the overlay (A1111: once, on the final image, with hires).
            if (p.restoreFaces() != null) {
                pixels = restoreFaces(p.restoreFaces(), pixels, seeds);
                peak.sample();
            }

            // 8. Overlay the unmasked original, write the infotext and the PNG of each image.
            GenerationInfotext infotext = new GenerationInfotext(model.name(), model.shortHash(), samplers.first(),
                    hires == null ? null : hires.choice().sampler(), settings.vaeInfotext());
            if (refined) {
                infotext = infotext.withRefiner(refinerTitle(), p.models().refiner().switchAt());
            }
            List<GeneratedImage> images = finishImages(p, pixels, img2img, seeds, infotext);
            return new GenerationResult(images, latentValues, latents.getShape().getShape(),
                    (System.nanoTime() - start) / 1e9, peak.peakBytes());
        }
    }

    private void check(GenerationParameters p, Optional<NoiseFile> noiseFile) {
        List<String> problems = p.problems();
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        if (p.hires() != null) {
            upscalers.file(p.hires().upscaler()); // a missing upscaler file fails the run before it starts
        }
        if (p.img2img() != null && p.img2img().upscaler() != null) {
            upscalers.file(p.img2img().upscaler());
        }
        if (p.restoreFaces() != null) {
            restorers.files(p.restoreFaces().model()); // so does a missing face restorer
        }
        if (p.models().refiner() != null && refiner == null) {
            throw new IllegalArgumentException("refiner_checkpoint " + p.models().refiner().checkpoint()
                    + " is not loaded for this generation");
        }
        noiseFile.ifPresent(f -> f.requireShape(p.batch().size(), p.size().height() / 8, p.size().width() / 8));
    }

    /**
     * A1111's {@code upscaler_for_img2img}, open for the whole run (the overlay of "inpaint only masked" scales with it
     * at the end too); its weights live in the run's arrays.
     */
    private Upscaler img2imgUpscaler(GenerationParameters p, NDManager arrays) {
        String name = p.img2img().upscaler();
        return name == null ? Resizer.NONE : upscalers.open(name, arrays);
    }

    /**
     * Each image through the restorer, its networks loaded for this only. GFPGAN's per-layer noise is drawn from the
     * image's seed, so a restored image is reproducible (A1111 draws it from the global generator).
     */
    private List<BufferedImage> restoreFaces(FaceRestoration restoration, List<BufferedImage> pixels, BatchSeeds seeds) {
        List<BufferedImage> restored = new ArrayList<>();
        try (NDManager weights = model.manager().newSubManager();
             FaceRestorer restorer = restorers.open(restoration.model(), weights)) {
            for (int k = 0; k < pixels.size(); k++) {
                FaceRestorationNetwork.RestoreOptions options =
                        new FaceRestorationNetwork.RestoreOptions(restoration.codeFormerWeight(), seeds.seeds()[k]);
                restored.add(restorer.restore(PixelPlanes.rgb(pixels.get(k)), options).toImage());
            }
        }
        return restored;
    }

    /** The refiner as this run calls it, when the request names one and it is another model; null otherwise. */
    private Run refinerRun(GenerationParameters p, NDManager arrays) {
        if (p.models().refiner() == null || refiner == null || refiner == model) {
            return null; // A1111 does not switch to the model it is already running
        }
        RunSettings settings = RunSettings.of(refiner, p.tiling(), null, vaeFile);
        DiscreteSchedule schedule = refiner.alphasCumprod().map(DiscreteSchedule::new)
                .orElseGet(DiscreteSchedule::sdDefault);
        return new Run(arrays, settings.unet(refiner), settings.vae(refiner), schedule);
    }

    /** What a pass hands over to: the refiner with its prompts, encoded by its own tower when it takes over. */
    private Optional<RefinerTarget> refinerTarget(GenerationParameters p, Run refinerRun, String positive,
                                                  String negative, int steps, ImageSize size) {
        if (refinerRun == null) {
            return Optional.empty();
        }
        return Optional.of(new RefinerTarget(p.models().refiner(), refinerRun.unet(), refinerRun.schedule(),
                () -> refinerPrompts.encode(refinerRun.arrays(), positive, negative, steps, p.prompt().clipSkip(),
                        size)));
    }

    /** The hires pass's refiner target: its prompts, steps and size. */
    private Optional<RefinerTarget> hiresRefiner(GenerationParameters p, Run refinerRun, String firstPrompt,
                                                 HiresPlan plan) {
        HiresFix fix = p.hires();
        return refinerTarget(p, refinerRun, blank(fix.prompt()) ? firstPrompt : fix.prompt(),
                blank(fix.negativePrompt()) ? p.prompt().negative() : fix.negativePrompt(),
                fix.effectiveSecondPassSteps(p.sampling().steps()), hiresSize(p, plan));
    }

    /** A1111's short title of the refiner checkpoint: "name [hash]". */
    private String refinerTitle() {
        String hash = refiner.shortHash();
        return hash == null ? refiner.name() : refiner.name() + " [" + hash + "]";
    }

    private static boolean blank(String text) {
        return text == null || text.isBlank();
    }

    private static InitialNoise initialNoise(Run run, GenerationParameters p, ImageNoise imageNoise,
                                             Optional<NoiseFile> noiseFile) {
        int latentH = p.size().height() / 8;
        int latentW = p.size().width() / 8;
        NDArray latents = noiseFile.isPresent()
                ? Tensors.create(run.arrays(), noiseFile.get().initial(), new Shape(p.batch().size(), 4, latentH, latentW))
                : imageNoise.initial(run.arrays(), new Shape(4, latentH, latentW));
        NoiseSource stepNoise = noiseFile.flatMap(NoiseFile::samplerNoises)
                .<NoiseSource>map(t -> new ReplayedNoise(t.toFloats(), t.shape()))
                .orElse(imageNoise);
        return new InitialNoise(latents, stepNoise);
    }

    private SamplingPass firstPass(Run run, GenerationParameters p, SamplerChoices samplers,
                                   PromptConditioning conditioning, InitialNoise noise, Img2ImgLatents img2img) {
        if (img2img == null) {
            NDArray imageCondition = blankConditioningIfInpaintingModel(run, p.batch().size(),
                    p.size().width() / 8, p.size().height() / 8);
            return SamplingPass.txt2img(samplers.first(), p.sampling(), conditioning, noise, imageCondition);
        }
        return SamplingPass.img2img(samplers.first(), p.sampling(), conditioning, noise, img2img,
                p.img2img().denoisingStrength());
    }

    /** A1111's hires fix second pass: upscale, fresh noise from the same seeds at the new size, fixed-steps img2img. */
    private SamplingPass hiresPass(Run run, GenerationParameters p, HiresPlan plan, NDArray latents, BatchSeeds seeds,
                                   PromptConditioning firstConditioning, String firstPrompt) {
        NDArray upscaled;
        try (NDManager upscalerWeights = run.arrays().newSubManager()) {
            Upscaler upscaler = plan.fix().latentUpscaler() ? null
                    : upscalers.open(plan.fix().upscaler(), upscalerWeights);
            upscaled = HiresPlan.upscale(run.vae(), plan, latents, upscaler);
        }
        int latentH = (int) upscaled.getShape().get(2);
        int latentW = (int) upscaled.getShape().get(3);
        PromptConditioning conditioning = hiresPrompts(run, p, plan, firstConditioning, firstPrompt);
        // A1111 starts a fresh image RNG with the same seeds at the new size.
        ImageNoise imageNoise = new ImageNoise(p.noise(), seeds.seeds(), seeds.subseeds());
        InitialNoise noise = new InitialNoise(imageNoise.initial(run.arrays(), new Shape(4, latentH, latentW)), imageNoise);
        NDArray imageCondition = blankConditioningIfInpaintingModel(run, p.batch().size(), latentW, latentH);
        return SamplingPass.hires(plan, p.sampling(), conditioning, noise, upscaled, imageCondition);
    }

    /**
     * The hires prompts, each the first pass's unless the request gives one of its own. SDXL conditions on the image
     * size, so its prompts are encoded again at the hires size, as A1111's {@code calculate_hr_conds} does.
     */
    private PromptConditioning hiresPrompts(Run run, GenerationParameters p, HiresPlan plan, PromptConditioning first,
                                            String firstPrompt) {
        HiresFix fix = p.hires();
        int steps = fix.effectiveSecondPassSteps(p.sampling().steps());
        int clipSkip = p.prompt().clipSkip();
        if (model.type().isSdxl()) {
            return prompts.encode(run.arrays(), blank(fix.prompt()) ? firstPrompt : fix.prompt(),
                    blank(fix.negativePrompt()) ? p.prompt().negative() : fix.negativePrompt(), steps, clipSkip,
                    hiresSize(p, plan));
        }
        List<CfgDenoiser.WeightedCondition> positive = blank(fix.prompt())
                ? first.positive() : prompts.encode(run.arrays(), fix.prompt(), "", steps, clipSkip, p.size()).positive();
        ConditioningSchedule negative = blank(fix.negativePrompt())
                ? first.negative()
                : prompts.schedule(run.arrays(), fix.negativePrompt(), steps, clipSkip, true, p.size());
        return new PromptConditioning(positive, negative);
    }

    /** The hires pass's image size: A1111's hr_upscale_to_x × y, the first pass's SDXL crop kept. */
    private static ImageSize hiresSize(GenerationParameters p, HiresPlan plan) {
        return p.size().withSides(plan.latentW() * 8, plan.latentH() * 8);
    }

    private NDArray blankConditioningIfInpaintingModel(Run run, int batch, int latentW, int latentH) {
        return model.unet().inChannels() == 9
                ? Img2ImgLatents.blankConditioning(run.arrays(), run.vae(), batch, latentW, latentH) : null;
    }

    /** Each image with the original pasted back outside an inpainting mask, its infotext and its PNG. */
    private static List<GeneratedImage> finishImages(GenerationParameters p, List<BufferedImage> pixels,
                                                     Img2ImgLatents img2img, BatchSeeds seeds,
                                                     GenerationInfotext infotext) {
        List<GeneratedImage> images = new ArrayList<>();
        for (int k = 0; k < pixels.size(); k++) {
            BufferedImage image = pixels.get(k);
            if (img2img != null) {
                Optional<Overlay> overlay = img2img.overlays().get(k);
                if (overlay.isPresent()) {
                    image = overlay.get().apply(image);
                }
            }
            String text = infotext.format(p, seeds.seeds()[k], seeds.subseeds()[k]);
            byte[] png = PngFiles.encode(image, Map.of("parameters", text));
            images.add(new GeneratedImage(k, seeds.seeds()[k], image, text, png));
        }
        return images;
    }
}
