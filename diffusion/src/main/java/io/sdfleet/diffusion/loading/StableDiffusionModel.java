package io.sdfleet.diffusion.loading;

import ai.djl.ndarray.NDArray;
import ai.djl.Device;
import ai.djl.ndarray.NDManager;
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
 * A Stable Diffusion 1.x or 2.x checkpoint loaded for generation: tokenizer, text encoder, UNet and VAE, with their
 * weights in one manager on one device, plus the DDPM schedule the checkpoint carries. Closing it frees the weights.
 *
 * <p>SD 2.x is recognised by its OpenCLIP text tower ({@code cond_stage_model.model.*}); its UNet splits attention
 * into 64-wide heads, and it predicts ε or v, which the weights do not say. As A1111 decides: a config sidecar
 * {@code <checkpoint>.yaml} settles it, else (here) the JSON sidecar, else an SD 2.x UNet is probed
 * ({@link VPredictionProbe}); SD 1.x predicts ε.
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
    private final TextEncoder textEncoder;
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
                                 TextEncoder textEncoder, UNetModel unet, AutoencoderKL vae, float[] alphasCumprod,
                                 Attention attention, VaeTiling vaeTiling, Map<String, NDArray> parameters,
                                 Map<String, Parameter> parameterSlots, Offloader offloader) {
        this.offloader = offloader;
        this.parameterSlots = parameterSlots;
        this.path = path;
        this.name = nameOf(path);
        this.manager = manager;
        this.source = source;
        this.tokenizer = tokenizer;
        this.textEncoder = textEncoder;
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
        TensorSource source = CheckpointFiles.open(checkpoint);
        NDManager manager = Torch.newManager(options.device());
        try {
            // offloaded weights rest on the CPU; the run's arrays stay on the compute device
            NDManager weights = options.memoryMode().offloads() ? manager.newSubManager(Device.cpu()) : manager;
            Weights root = Weights.of(source, weights, options.precision());
            Attention attention = new Attention(options.attentionQueryRows(), options.attentionBudgetBytes());
            ModelSidecar sidecar = ModelSidecar.near(checkpoint);
            boolean sd2 = isSd2(root);
            TextEncoder text = sd2 ? openClip(root, sidecar) : clip(root, sidecar);
            Optional<Prediction> configured = CheckpointYaml.predictionNear(checkpoint).or(sidecar::prediction);
            UNetModel unet = UNetModel.load(root.at(UNetModel.PREFIX),
                    sidecar.unetHeads().orElse(sd2 ? HeadLayout.SD2 : HeadLayout.SD1),
                    configured.orElse(Prediction.EPSILON), attention);
            if (configured.isEmpty() && sd2 && unet.inChannels() == 4) { // A1111 never probes inpainting models
                unet.setPrediction(VPredictionProbe.detect(unet, manager, unet.contextDim()));
            }
            AutoencoderKL vae = AutoencoderKL.load(root.at(AutoencoderKL.PREFIX), attention);
            float[] alphas = source.contains("alphas_cumprod") ? source.get("alphas_cumprod").toFloats() : null;
            CheckpointKeys.afterLoad(root.unconsumed()).throwIfNotClean(checkpoint.getFileName().toString());
            Optional<ClipTokenizer> tokenizer = Optional.ofNullable(options.tokenizer())
                    .or(() -> ClipTokenizer.besideModel(checkpoint))
                    .map(ClipTokenizer::load);
            Offloader offloader = null;
            if (options.memoryMode().offloads()) {
                offloader = new Offloader(options.device(),
                        OffloadPlan.units(options.memoryMode(), root.parameters().keySet()), root.parameters());
                if (text instanceof ClipTextModel clip) { // OpenCLIP's weights stay resident (small next to the UNet)
                    clip.setPlacement(offloader);
                }
                unet.setPlacement(offloader);
                vae.setPlacement(offloader);
            }
            return new StableDiffusionModel(checkpoint, manager, source, tokenizer, text, unet, vae, alphas, attention,
                    options.vaeTiling(), root.loaded(), root.parameters(), offloader);
        } catch (RuntimeException e) {
            manager.close();
            source.close();
            throw e;
        }
    }

    /** SD 2.x checkpoints keep an OpenCLIP text tower where SD 1.x keeps a Hugging Face CLIPTextModel. */
    private static boolean isSd2(Weights root) {
        return root.keys().stream().anyMatch(key -> key.startsWith(OpenClipTextModel.PREFIX));
    }

    private static TextEncoder clip(Weights root, ModelSidecar sidecar) {
        Weights w = root.at(ClipTextModel.PREFIX);
        return ClipTextModel.load(w, sidecar.textHeadsFor(w.shape("embeddings.token_embedding.weight")[1]));
    }

    private static TextEncoder openClip(Weights root, ModelSidecar sidecar) {
        Weights w = root.at(OpenClipTextModel.PREFIX);
        return OpenClipTextModel.load(w, sidecar.textHeadsFor(w.shape("token_embedding.weight")[1]));
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

    /** The text encoder A1111's conditioning runs: CLIP (SD 1.x) or OpenCLIP (SD 2.x). */
    public TextEncoder textEncoder() {
        return textEncoder;
    }

    /** The SD 1.x CLIP model, for features that reach into it (token embeddings); SD 2.x models have none. */
    public ClipTextModel textModel() {
        if (textEncoder instanceof ClipTextModel clip) {
            return clip;
        }
        throw new IllegalStateException(name + " is an SD 2.x model: its text encoder is OpenCLIP, not CLIP");
    }

    public UNetModel unet() {
        return unet;
    }

    /** The checkpoint's own VAE. */
    public AutoencoderKL vae() {
        return vae;
    }

    /**
     * The VAE in {@code file}, for runs that use it instead of the checkpoint's (A1111's {@code sd_vae}). Loaded
     * once and kept in this model's memory, so runs can alternate between VAEs at no cost.
     */
    public synchronized ExternalVae externalVae(Path file) {
        return externalVaes.computeIfAbsent(file.toAbsolutePath().normalize(),
                k -> ExternalVae.load(k, manager, unet.dtype(), attention));
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
