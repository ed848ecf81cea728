package io.sdfleet.diffusion.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.sdfleet.diffusion.checkpoint.CheckpointFiles;
import io.sdfleet.diffusion.checkpoint.CheckpointKeys;
import io.sdfleet.diffusion.checkpoint.ModelHash;
import io.sdfleet.diffusion.checkpoint.TensorSource;
import io.sdfleet.diffusion.checkpoint.Weights;
import io.sdfleet.diffusion.clip.ClipTextModel;
import io.sdfleet.diffusion.nn.Attention;
import io.sdfleet.diffusion.runtime.Torch;
import io.sdfleet.diffusion.tokenizer.ClipTokenizer;
import io.sdfleet.diffusion.unet.UNetModel;
import io.sdfleet.diffusion.vae.AutoencoderKL;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

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
    private final Map<String, NDArray> parameters;
    private volatile String shortHash;

    private StableDiffusionModel(Path path, NDManager manager, TensorSource source, Optional<ClipTokenizer> tokenizer,
                                 ClipTextModel textModel, UNetModel unet, AutoencoderKL vae, float[] alphasCumprod,
                                 Attention attention, Map<String, NDArray> parameters) {
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
            Weights root = Weights.of(source, manager, options.precision());
            Attention attention = new Attention(options.attentionQueryRows());
            Weights textWeights = root.at(ClipTextModel.PREFIX);
            int heads = ModelSidecar.near(checkpoint).textHeadsFor(textWeights.shape("embeddings.token_embedding.weight")[1]);
            ClipTextModel text = ClipTextModel.load(textWeights, heads);
            UNetModel unet = UNetModel.load(root.at(UNetModel.PREFIX), io.sdfleet.diffusion.unet.HeadLayout.SD1,
                    io.sdfleet.diffusion.model.NoisePredictor.Prediction.EPSILON, attention);
            AutoencoderKL vae = AutoencoderKL.load(root.at(AutoencoderKL.PREFIX), attention);
            float[] alphas = source.contains("alphas_cumprod") ? source.get("alphas_cumprod").toFloats() : null;
            CheckpointKeys.afterLoad(root).throwIfNotClean(checkpoint.getFileName().toString());
            Optional<ClipTokenizer> tokenizer = Optional.ofNullable(options.tokenizer())
                    .or(() -> ClipTokenizer.besideModel(checkpoint))
                    .map(ClipTokenizer::load);
            return new StableDiffusionModel(checkpoint, manager, source, tokenizer, text, unet, vae, alphas, attention,
                    root.loaded());
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

    /**
     * The loaded parameter stored under an LDM checkpoint key ({@code model.diffusion_model.out.2.weight}): the
     * array the model computes with, so an in-place change (a LoRA patch) changes the model's output.
     */
    public Optional<NDArray> parameter(String checkpointKey) {
        return Optional.ofNullable(parameters.get(checkpointKey));
    }

    /** The LDM checkpoint keys of every loaded parameter. */
    public Set<String> parameterKeys() {
        return parameters.keySet();
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
