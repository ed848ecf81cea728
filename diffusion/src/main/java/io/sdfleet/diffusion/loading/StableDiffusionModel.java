package io.sdfleet.diffusion.loading;

import ai.djl.ndarray.NDArray;
import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.sdfleet.diffusion.checkpoint.CheckpointException;
import io.sdfleet.diffusion.checkpoint.CheckpointFiles;
import io.sdfleet.diffusion.checkpoint.CheckpointKeys;
import io.sdfleet.diffusion.checkpoint.ModelHash;
import io.sdfleet.diffusion.checkpoint.TensorSource;
import io.sdfleet.diffusion.nn.Weights;
import io.sdfleet.diffusion.clip.ClipTextModel;
import io.sdfleet.diffusion.clip.OpenClipTextModel;
import io.sdfleet.diffusion.model.NoisePredictor.Prediction;
import io.sdfleet.diffusion.model.TextEncoder;
import io.sdfleet.diffusion.nn.Attention;
import io.sdfleet.diffusion.nn.Parameter;
import io.sdfleet.diffusion.offload.Offloader;
import io.sdfleet.diffusion.runtime.Torch;
import io.sdfleet.diffusion.sdxl.BigGPenultimate;
import io.sdfleet.diffusion.sdxl.ClipLPenultimate;
import io.sdfleet.diffusion.sdxl.SdxlTextEncoders;
import io.sdfleet.diffusion.tokenizer.ClipTokenizer;
import io.sdfleet.diffusion.unet.HeadLayout;
import io.sdfleet.diffusion.unet.UNetModel;
import io.sdfleet.diffusion.vae.AutoencoderKL;
import io.sdfleet.diffusion.vae.VaeTiling;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A Stable Diffusion 1.x, 2.x or SDXL (base or refiner) checkpoint loaded for generation: tokenizer, text
 * encoder(s), UNet and VAE, with their weights in one manager on one device, plus the DDPM schedule the checkpoint
 * carries. Closing it frees the weights. Which family a file holds is read off its keys ({@link ModelType}).
 *
 * <p>SD 2.x is recognised by its OpenCLIP text tower ({@code cond_stage_model.model.*}); its UNet splits attention
 * into 64-wide heads, and it predicts ε or v, which the weights do not say. As A1111 decides: a config sidecar
 * {@code <checkpoint>.yaml} settles it, else (here) the JSON sidecar, else an SD 2.x UNet is probed
 * ({@link VPredictionProbe}); SD 1.x predicts ε.
 *
 * <p>SDXL keeps its text towers under {@code conditioner.embedders.N} (see {@link SdxlTextEncoders}), its UNet
 * takes the vector conditioning y as well, splits attention into 64-wide heads and predicts ε unless a sidecar says
 * otherwise; its VAE latents scale by 0.13025, and the file carries no {@code alphas_cumprod} (the schedule is the
 * usual linear one, computed).
 *
 * <p>One loaded model serves many runs, so nothing a run chooses is set on it: padding, VAE, attention chunking,
 * hypernetworks and VAE tiles reach the layers with each call (the pipeline's run settings); the model only supplies the
 * defaults its options gave and keeps the external VAEs it has loaded.
 */
public final class StableDiffusionModel implements AutoCloseable {

    private final Path path;
    private final String name;
    private final NDManager manager;
    private final TensorSource source;
    private final Optional<ClipTokenizer> tokenizer;
    private final ModelType type;
    private final TextEncoder textEncoder;
    private final SdxlTextEncoders sdxlText; // null unless SDXL
    private final UNetModel unet;
    private final AutoencoderKL vae;
    private final float[] alphasCumprod;
    private final Attention attention;
    private final VaeTiling vaeTiling;
    private final Map<String, NDArray> parameters;
    private final Map<String, Parameter> parameterSlots;
    private final Offloader offloader;
    private volatile String shortHash;
    private final Map<Path, ExternalVae> externalVaes = new HashMap<>();

    private StableDiffusionModel(Path path, NDManager manager, TensorSource source, Optional<ClipTokenizer> tokenizer,
                                 ModelType type, TextEncoders text, UNetModel unet, AutoencoderKL vae,
                                 float[] alphasCumprod, Attention attention, VaeTiling vaeTiling,
                                 Map<String, NDArray> parameters, Map<String, Parameter> parameterSlots,
                                 Offloader offloader) {
        this.type = type;
        this.sdxlText = text.sdxl();
        this.offloader = offloader;
        this.parameterSlots = parameterSlots;
        this.path = path;
        this.name = nameOf(path);
        this.manager = manager;
        this.source = source;
        this.tokenizer = tokenizer;
        this.textEncoder = text.primary();
        this.unet = unet;
        this.vae = vae;
        this.alphasCumprod = alphasCumprod;
        this.attention = attention;
        this.vaeTiling = vaeTiling;
        this.parameters = parameters;
    }

    /**
     * Loads every component and checks that every tensor of the file was used: an unexpected key is reported by
     * name (a checkpoint of another architecture must not load silently).
     */
    public static StableDiffusionModel load(Path checkpoint, ModelOptions options) {
        return load(CheckpointFiles.open(checkpoint), checkpoint, options);
    }

    /**
     * Loads from tensors already opened (a synthesised layout, for instance), with the same checks. The model owns
     * {@code source} from here on: closing the model, or a failed load, closes it.
     *
     * @param checkpoint names the model and is where sidecars, a config yaml and a tokenizer are looked for
     */
    public static StableDiffusionModel load(TensorSource source, Path checkpoint, ModelOptions options) {
        NDManager manager;
        try {
            manager = Torch.newManager(options.device());
        } catch (RuntimeException e) {
            source.close();
            throw e;
        }
        try {
            // offloaded weights rest on the CPU; the run's arrays stay on the compute device
            NDManager weights = options.memoryMode().offloads() ? manager.newSubManager(Device.cpu()) : manager;
            Weights root = Weights.of(source, weights, options.precision());
            Attention attention = new Attention(options.attentionQueryRows(), options.attentionBudgetBytes());
            ModelSidecar sidecar = ModelSidecar.near(checkpoint);
            ModelType type = ModelType.detect(source.keys());
            TextEncoders text = TextEncoders.load(root, type, sidecar);
            Optional<Prediction> configured = CheckpointYaml.predictionNear(checkpoint).or(sidecar::prediction);
            UNetModel unet = UNetModel.load(root.at(UNetModel.PREFIX),
                    sidecar.unetHeads().orElse(type == ModelType.SD1 ? HeadLayout.SD1 : HeadLayout.SD2),
                    configured.orElse(Prediction.EPSILON), attention);
            checkUNetFits(type, unet);
            if (configured.isEmpty() && type == ModelType.SD2 && unet.inChannels() == 4) { // A1111 never probes inpainting models
                unet.setPrediction(VPredictionProbe.detect(unet, manager, unet.contextDim()));
            }
            AutoencoderKL vae = AutoencoderKL.load(root.at(AutoencoderKL.PREFIX), attention, type.scaleFactor());
            float[] alphas = source.contains("alphas_cumprod") ? source.get("alphas_cumprod").toFloats() : null;
            CheckpointKeys.afterLoad(root.unconsumed()).throwIfNotClean(checkpoint.getFileName().toString());
            Optional<ClipTokenizer> tokenizer = Optional.ofNullable(options.tokenizer())
                    .or(() -> ClipTokenizer.besideModel(checkpoint))
                    .or(() -> secondTokenizer(checkpoint))
                    .map(ClipTokenizer::load);
            Offloader offloader = null;
            if (options.memoryMode().offloads()) {
                offloader = new Offloader(options.device(), OffloadPlan.units(options.memoryMode(),
                        root.parameters().keySet(), text.clipPrefix()), root.parameters());
                if (text.primary() instanceof ClipTextModel clip) { // OpenCLIP's weights stay resident (small next to the UNet)
                    clip.setPlacement(offloader);
                }
                unet.setPlacement(offloader);
                vae.setPlacement(offloader);
            }
            return new StableDiffusionModel(checkpoint, manager, source, tokenizer, type, text, unet, vae, alphas,
                    attention, options.vaeTiling(), root.loaded(), root.parameters(), offloader);
        } catch (RuntimeException e) {
            manager.close();
            source.close();
            throw e;
        }
    }

    /**
     * An SDXL refiner's diffusers folder ships only {@code tokenizer_2/} (bigG's): the same BPE vocabulary as CLIP's,
     * bigG's padding being the text model's business ({@link OpenClipTextModel#PAD_ID}).
     */
    private static Optional<Path> secondTokenizer(Path checkpoint) {
        Path folder = checkpoint.resolve("tokenizer_2");
        return Files.isDirectory(checkpoint) && Files.isRegularFile(folder.resolve("vocab.json"))
                ? Optional.of(folder) : Optional.empty();
    }

    /** An SDXL file whose UNet lacks the label embedding (or the reverse) is not a model the engine can run. */
    private static void checkUNetFits(ModelType type, UNetModel unet) {
        if (type.isSdxl() != (unet.admInChannels() > 0)) {
            throw new CheckpointException("the text encoders say " + type + " but the UNet "
                    + (type.isSdxl() ? "has no" : "has a") + " label embedding (label_emb)");
        }
    }

    /**
     * The text encoder(s) a checkpoint of {@code type} carries: the one SD 1.x / 2.x conditioning runs (for SDXL,
     * embedders.0: CLIP-L for the base, bigG for the refiner), SDXL's towers, and the prefix of the CLIP model
     * that memory modes move (null when there is none).
     */
    private record TextEncoders(TextEncoder primary, SdxlTextEncoders sdxl, String clipPrefix) {

        static TextEncoders load(Weights root, ModelType type, ModelSidecar sidecar) {
            return switch (type) {
                case SD1 -> new TextEncoders(clip(root, ClipTextModel.PREFIX, sidecar), null, ClipTextModel.PREFIX);
                case SD2 -> new TextEncoders(openClip(root, OpenClipTextModel.PREFIX, sidecar), null, null);
                case SDXL -> {
                    ClipTextModel clipL = clip(root, ModelType.SDXL_CLIP_L_PREFIX, sidecar);
                    OpenClipTextModel bigG = secondTower(root, ModelType.SDXL_BIG_G_PREFIX, sidecar);
                    yield new TextEncoders(clipL, new SdxlTextEncoders(Optional.of(new ClipLPenultimate(clipL)),
                            new BigGPenultimate(bigG)), ModelType.SDXL_CLIP_L_PREFIX);
                }
                case SDXL_REFINER -> {
                    OpenClipTextModel bigG = secondTower(root, ModelType.REFINER_BIG_G_PREFIX, sidecar);
                    yield new TextEncoders(bigG, new SdxlTextEncoders(Optional.empty(), new BigGPenultimate(bigG)),
                            null);
                }
            };
        }

        private static ClipTextModel clip(Weights root, String prefix, ModelSidecar sidecar) {
            Weights w = root.at(prefix);
            return ClipTextModel.load(w, sidecar.textHeadsFor(w.shape("embeddings.token_embedding.weight")[1]));
        }

        private static OpenClipTextModel openClip(Weights root, String prefix, ModelSidecar sidecar) {
            Weights w = root.at(prefix);
            return OpenClipTextModel.load(w, sidecar.textHeadsFor(w.shape("token_embedding.weight")[1]));
        }

        /** SDXL's bigG: the sidecar's count is CLIP-L's, so its heads come from its own config or the default. */
        private static OpenClipTextModel secondTower(Weights root, String prefix, ModelSidecar sidecar) {
            Weights w = root.at(prefix);
            return OpenClipTextModel.load(w, sidecar.secondTextHeadsFor(w.shape("token_embedding.weight")[1]));
        }
    }

    private static String nameOf(Path path) {
        String file = path.getFileName().toString();
        if (Files.isDirectory(path)) {
            return file;
        }
        int dot = file.lastIndexOf('.');
        return dot > 0 ? file.substring(0, dot) : file;
    }

    public Path path() {
        return path;
    }

    /** A1111's "Model" infotext value: the file name without extension. */
    public String name() {
        return name;
    }

    /** A1111's "Model hash": the first 10 hex digits of the file's sha256 (computed once, cached beside the file). */
    public String shortHash() {
        if (shortHash == null && !Files.isDirectory(path)) {
            shortHash = ModelHash.shortHash(path);
        }
        return shortHash;
    }

    public NDManager manager() {
        return manager;
    }

    /** The tokenizer given in the options or shipped with the model. */
    public ClipTokenizer tokenizer() {
        return tokenizer.orElseThrow(() -> new IllegalArgumentException(
                "no tokenizer for " + path.getFileName() + ": pass --tokenizer (a folder with vocab.json + merges.txt, "
                        + "or bpe_simple_vocab_16e6.txt.gz)"));
    }

    /** What the checkpoint holds: SD 1.x, SD 2.x, an SDXL base or the SDXL refiner. */
    public ModelType type() {
        return type;
    }

    /**
     * The text encoder A1111's conditioning runs: CLIP (SD 1.x) or OpenCLIP (SD 2.x). For SDXL the conditioner's
     * first: CLIP-L for the base, bigG for the refiner; SDXL conditioning needs {@link #sdxlTextEncoders()}.
     */
    public TextEncoder textEncoder() {
        return textEncoder;
    }

    /**
     * SDXL's text towers (CLIP-L and bigG; the refiner bigG only), read as SDXL conditions on them, for
     * {@link io.sdfleet.diffusion.sdxl.SdxlConditioner}; empty for SD 1.x / 2.x.
     */
    public Optional<SdxlTextEncoders> sdxlTextEncoders() {
        return Optional.ofNullable(sdxlText);
    }

    /**
     * The CLIP model, for features that reach into it (token embeddings): SD 1.x's, or an SDXL base's CLIP-L;
     * SD 2.x models and the SDXL refiner have none.
     */
    public ClipTextModel textModel() {
        if (textEncoder instanceof ClipTextModel clip) {
            return clip;
        }
        throw new IllegalStateException(name + " is an " + type + " model: its text encoder is OpenCLIP, not CLIP");
    }

    public UNetModel unet() {
        return unet;
    }

    /** The checkpoint's own VAE (its {@link AutoencoderKL#scaleFactor()} is the model type's). */
    public AutoencoderKL vae() {
        return vae;
    }

    /**
     * The VAE in {@code file}, for runs that use it instead of the checkpoint's (A1111's {@code sd_vae}). Loaded
     * once and kept in this model's memory, so runs can alternate between VAEs at no cost.
     */
    public synchronized ExternalVae externalVae(Path file) {
        return externalVaes.computeIfAbsent(file.toAbsolutePath().normalize(),
                k -> ExternalVae.load(k, manager, unet.dtype(), attention, type.scaleFactor()));
    }

    /** The attention chunking the options asked for: what every run uses. */
    public Attention attention() {
        return attention;
    }

    /** The tiled VAE the options asked for, or null for never: what every run uses. */
    public VaeTiling vaeTiling() {
        return vaeTiling;
    }

    /**
     * The loaded parameter stored under an LDM checkpoint key ({@code model.diffusion_model.out.2.weight}): the
     * array the model computes with, so an in-place change (a LoRA patch) changes the model's output.
     */
    public Optional<NDArray> parameter(String checkpointKey) {
        Parameter slot = parameterSlots.get(checkpointKey);
        return slot != null ? Optional.of(slot.home()) : Optional.ofNullable(parameters.get(checkpointKey));
    }

    /** The layer parameter holding {@code checkpointKey}, when a layer holds it as one (linear and conv weights). */
    public Optional<Parameter> parameterSlot(String checkpointKey) {
        return Optional.ofNullable(parameterSlots.get(checkpointKey));
    }

    /** The LDM checkpoint keys of every loaded parameter. */
    public Set<String> parameterKeys() {
        return parameters.keySet();
    }

    /** What moves the weights in MEDVRAM and LOWVRAM; empty in plain mode. */
    public Optional<Offloader> offloader() {
        return Optional.ofNullable(offloader);
    }

    /** The checkpoint's {@code alphas_cumprod} buffer, or empty when it has none (the schedule is then computed). */
    public Optional<float[]> alphasCumprod() {
        return Optional.ofNullable(alphasCumprod);
    }

    @Override
    public synchronized void close() {
        manager.close();
        source.close();
        externalVaes.values().forEach(v -> v.source().close());
    }
}
