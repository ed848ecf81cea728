package io.sdfleet.diffusion.pipeline;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.sdfleet.diffusion.checkpoint.CheckpointFiles;
import io.sdfleet.diffusion.checkpoint.CheckpointKeys;
import io.sdfleet.diffusion.checkpoint.ModelHash;
import io.sdfleet.diffusion.checkpoint.TensorSource;
import io.sdfleet.diffusion.checkpoint.Weights;
import io.sdfleet.diffusion.clip.ClipTextModel;
import io.sdfleet.diffusion.nn.Attention;
import io.sdfleet.diffusion.offload.OffloadPlan;
import io.sdfleet.diffusion.offload.Offloader;
import io.sdfleet.diffusion.runtime.Torch;
import io.sdfleet.diffusion.tokenizer.ClipTokenizer;
import io.sdfleet.diffusion.unet.UNetModel;
import io.sdfleet.diffusion.vae.AutoencoderKL;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A Stable Diffusion 1.x checkpoint loaded for generation: tokenizer, CLIP text model, UNet and VAE, with their
 * weights in one manager on one device, plus the DDPM schedule the checkpoint carries. Closing it frees the weights.
 */
public final class StableDiffusionModel implements AutoCloseable {

    private final Path path;
    private final String name;
    private final NDManager manager;
    private final TensorSource source;
    private final Optional<ClipTokenizer> tokenizer;
    private final ClipTextModel textModel;
    private final UNetModel unet;
    private final AutoencoderKL vae;
    private final float[] alphasCumprod;
    private final Attention attention;
    private final Offloader offloader;
    private volatile String shortHash;

    private StableDiffusionModel(Path path, NDManager manager, TensorSource source, Optional<ClipTokenizer> tokenizer,
                                 ClipTextModel textModel, UNetModel unet, AutoencoderKL vae, float[] alphasCumprod,
                                 Attention attention, Offloader offloader) {
        this.offloader = offloader;
        this.path = path;
        this.name = nameOf(path);
        this.manager = manager;
        this.source = source;
        this.tokenizer = tokenizer;
        this.textModel = textModel;
        this.unet = unet;
        this.vae = vae;
        this.alphasCumprod = alphasCumprod;
        this.attention = attention;
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
            Attention attention = new Attention(options.attentionQueryRows());
            attention.setBudgetBytes(options.attentionBudgetBytes());
            Weights textWeights = root.at(ClipTextModel.PREFIX);
            int heads = ModelSidecar.near(checkpoint).textHeadsFor(textWeights.shape("embeddings.token_embedding.weight")[1]);
            ClipTextModel text = ClipTextModel.load(textWeights, heads);
            UNetModel unet = UNetModel.load(root.at(UNetModel.PREFIX), io.sdfleet.diffusion.unet.HeadLayout.SD1,
                    io.sdfleet.diffusion.model.NoisePredictor.Prediction.EPSILON, attention);
            AutoencoderKL vae = AutoencoderKL.load(root.at(AutoencoderKL.PREFIX), attention);
            vae.setTiling(options.vaeTiling());
            float[] alphas = source.contains("alphas_cumprod") ? source.get("alphas_cumprod").toFloats() : null;
            CheckpointKeys.afterLoad(root).throwIfNotClean(checkpoint.getFileName().toString());
            Optional<ClipTokenizer> tokenizer = Optional.ofNullable(options.tokenizer())
                    .or(() -> ClipTokenizer.besideModel(checkpoint))
                    .map(ClipTokenizer::load);
            Offloader offloader = null;
            if (options.memoryMode().offloads()) {
                offloader = new Offloader(options.device(),
                        OffloadPlan.units(options.memoryMode(), root.parameters().keySet()), root.parameters());
                text.setPlacement(offloader);
                unet.setPlacement(offloader);
                vae.setPlacement(offloader);
            }
            return new StableDiffusionModel(checkpoint, manager, source, tokenizer, text, unet, vae, alphas, attention,
                    offloader);
        } catch (RuntimeException e) {
            manager.close();
            source.close();
            throw e;
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

    public ClipTextModel textModel() {
        return textModel;
    }

    public UNetModel unet() {
        return unet;
    }

    public AutoencoderKL vae() {
        return vae;
    }

    public Attention attention() {
        return attention;
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
    public void close() {
        manager.close();
        source.close();
    }
}
