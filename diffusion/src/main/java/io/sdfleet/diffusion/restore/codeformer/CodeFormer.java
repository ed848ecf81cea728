package io.sdfleet.diffusion.restore.codeformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import io.sdfleet.diffusion.checkpoint.CheckpointException;
import io.sdfleet.diffusion.checkpoint.CheckpointFiles;
import io.sdfleet.diffusion.checkpoint.TensorSource;
import io.sdfleet.diffusion.checkpoint.UnwrappedWeights;
import io.sdfleet.diffusion.nn.LayerNorm;
import io.sdfleet.diffusion.nn.Linear;
import io.sdfleet.diffusion.nn.Scope;
import io.sdfleet.diffusion.nn.Weights;
import io.sdfleet.diffusion.restore.FaceRestorationNetwork;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CodeFormer as spandrel_extra_arches builds it from {@code codeformer-v0.1.0.pth} and A1111 calls it,
 * {@code net(x, weight=w, adain=True)[0]}:
 * <ol>
 *   <li>the VQGAN encoder turns the 512² face into a 16×16 latent of width 256, keeping its features at the sizes
 *       that have a fuse block (32, 64, 128, 256 px);</li>
 *   <li>the latent's 256 tokens, embedded to width 512, pass 9 transformer layers with a learned position
 *       embedding; a LayerNorm and a bias-free linear give logits over the 1024 codebook entries, and each token
 *       takes its top-1 entry;</li>
 *   <li>the chosen codebook vectors are given the latent's per-channel mean and std (AdaIN) and decoded by the
 *       VQGAN generator; after the generator block of each fuse size, the encoder's features of that size are
 *       fused in with weight w (skipped when w ≤ 0).</li>
 * </ol>
 * Input and output are [N, 3, 512, 512] RGB in [−1, 1]; the output is not clamped.
 */
public final class CodeFormer implements FaceRestorationNetwork {

    public static final String DISPLAY_NAME = "CodeFormer";

    /** spandrel's candidate fuse sizes; a file has blocks for some of them (v0.1.0: 32, 64, 128, 256). */
    private static final int[] FUSE_SIZE_CANDIDATES = {16, 32, 64, 128, 256, 512};
    /** {@code fuse_encoder_block}: the encoder block whose output is kept for each size. */
    private static final Map<Integer, Integer> ENCODER_BLOCK = Map.of(512, 2, 256, 5, 128, 8, 64, 11, 32, 14, 16, 18);
    /** {@code fuse_generator_block}: the generator block after which each size's features are fused in. */
    private static final Map<Integer, Integer> GENERATOR_BLOCK = Map.of(16, 6, 32, 9, 64, 12, 128, 15, 256, 18, 512, 21);

    /** What one forward gives: the restored face and the codebook entry chosen for each latent token. */
    public record Output(NDArray image, NDArray codes) implements AutoCloseable {
        @Override
        public void close() {
            image.close();
            codes.close();
        }
    }

    private final List<VqBlock> encoder;
    private final NDArray positionEmbedding; // [tokens, 512]
    private final Linear featEmb;
    private final List<TransformerSaLayer> layers = new ArrayList<>();
    private final LayerNorm logitNorm;       // idx_pred_layer.0
    private final Linear logitHead;          // idx_pred_layer.1, no bias
    private final NDArray codebook;          // quantize.embedding.weight [1024, 256]
    private final List<VqBlock> generator;
    private final Map<Integer, FuseSftBlock> fuseBlocks = new LinkedHashMap<>(); // by feature size

    private CodeFormer(Weights w) {
        encoder = VqEncoder.load(w.at("encoder.blocks"));
        positionEmbedding = w.parameter("position_emb").get();
        featEmb = Linear.load(w.at("feat_emb"));
        for (int i = 0; w.has("ft_layers." + i + ".norm1.weight"); i++) {
            layers.add(new TransformerSaLayer(w.at("ft_layers." + i)));
        }
        logitNorm = LayerNorm.load(w.at("idx_pred_layer.0"), LayerNorm.DEFAULT_EPS);
        logitHead = Linear.load(w.at("idx_pred_layer.1"));
        codebook = w.parameter("quantize.embedding.weight").get();
        generator = VqGenerator.load(w.at("generator.blocks"));
        for (int size : FUSE_SIZE_CANDIDATES) {
            if (w.has("fuse_convs_dict." + size + ".scale.0.weight")) {
                fuseBlocks.put(size, new FuseSftBlock(w.at("fuse_convs_dict." + size)));
            }
        }
    }

    /** Opens a CodeFormer .pth (through the restricted unpickler) or .safetensors; weights in fp32 in {@code manager}. */
    public static CodeFormer open(Path file, NDManager manager) {
        try (TensorSource source = CheckpointFiles.open(file)) {
            return load(source, manager);
        }
    }

    /** The network in {@code file} (with or without its {@code params_ema} wrapper), its weights in fp32 in {@code manager}. */
    public static CodeFormer load(TensorSource file, NDManager manager) {
        return load(Weights.of(UnwrappedWeights.of(file), manager, DataType.FLOAT32));
    }

    /** The network in {@code w} (unwrapped names); every key must be used. */
    public static CodeFormer load(Weights w) {
        if (!w.has("position_emb") || !w.has("quantize.embedding.weight") || !w.has("idx_pred_layer.1.weight")) {
            throw new CheckpointException("not a CodeFormer file: position_emb, quantize.embedding.weight or "
                    + "idx_pred_layer.1.weight is missing");
        }
        CodeFormer net = new CodeFormer(w);
        if (!w.unconsumed().isEmpty()) {
            throw new CheckpointException("CodeFormer file has keys this network does not use: " + w.unconsumed());
        }
        return net;
    }

    @Override
    public String displayName() {
        return DISPLAY_NAME;
    }

    @Override
    public NDArray restore(NDArray alignedFace, RestoreOptions options) {
        Output out = forward(alignedFace, options.codeFormerWeight());
        out.codes().close();
        return out.image();
    }

    public int transformerLayers() {
        return layers.size();
    }

    /** The sizes (px) at which encoder features are fused into the generator. */
    public List<Integer> fuseSizes() {
        return List.copyOf(fuseBlocks.keySet());
    }

    /**
     * One forward: face [N, 3, 512, 512] in [−1, 1] → the restored face (same shape) and the chosen codes
     * [N, tokens] (int64), both attached to the face's manager.
     */
    public Output forward(NDArray face, double weight) {
        NDManager target = face.getManager();
        Map<Integer, NDArray> kept = new HashMap<>();
        NDArray latent = runEncoder(face, target, kept);
        try {
            NDArray codes = Scope.run(target, () -> predictCodes(latent), latent);
            NDArray quantized = Scope.run(target, () -> AdaIn.apply(codebookFeatures(codes, latent), latent),
                    codes, latent);
            NDArray image = runGenerator(quantized, (float) weight, target, kept);
            return new Output(image, codes);
        } finally {
            latent.close();
            kept.values().forEach(NDArray::close);
        }
    }

    /** The encoder's output (the latent), with the features of every fuse size put in {@code kept}. */
    private NDArray runEncoder(NDArray face, NDManager target, Map<Integer, NDArray> kept) {
        List<Integer> keepAfter = new ArrayList<>();
        fuseBlocks.keySet().forEach(size -> keepAfter.add(ENCODER_BLOCK.get(size)));
        NDArray x = face;
        for (int i = 0; i < encoder.size(); i++) {
            NDArray in = x;
            VqBlock block = encoder.get(i);
            x = Scope.run(target, () -> block.forward(in), in);
            if (in != face && !kept.containsValue(in)) {
                in.close();
            }
            if (keepAfter.contains(i)) {
                kept.put(Math.toIntExact(x.getShape().get(3)), x);
            }
        }
        return x;
    }

    /** latent [N, 256, h, w] → the top-1 codebook index of each of its h·w tokens, [N, h·w] int64. */
    private NDArray predictCodes(NDArray latent) {
        long n = latent.getShape().get(0);
        long channels = latent.getShape().get(1);
        NDArray tokens = latent.reshape(n, channels, -1).transpose(0, 2, 1); // [N, h·w, 256]
        NDArray query = featEmb.forward(tokens);
        for (TransformerSaLayer layer : layers) {
            query = layer.forward(query, positionEmbedding);
        }
        NDArray logits = logitHead.forward(logitNorm.forward(query)); // [N, h·w, 1024]
        return logits.softmax(-1).argMax(-1);
    }

    /** The codebook vectors of {@code codes} laid out as the latent: [N, 256, h, w]. */
    private NDArray codebookFeatures(NDArray codes, NDArray latent) {
        long n = latent.getShape().get(0);
        long h = latent.getShape().get(2);
        long w = latent.getShape().get(3);
        NDArray vectors = Embedding.embedding(codes, codebook, SparseFormat.DENSE).singletonOrThrow();
        return vectors.reshape(n, h, w, codebook.getShape().get(1)).transpose(0, 3, 1, 2);
    }

    private NDArray runGenerator(NDArray quantized, float weight, NDManager target, Map<Integer, NDArray> kept) {
        Map<Integer, Integer> fuseAfter = new HashMap<>();
        fuseBlocks.keySet().forEach(size -> fuseAfter.put(GENERATOR_BLOCK.get(size), size));
        NDArray x = quantized;
        for (int i = 0; i < generator.size(); i++) {
            NDArray in = x;
            VqBlock block = generator.get(i);
            x = Scope.run(target, () -> block.forward(in), in);
            in.close();
            Integer size = fuseAfter.get(i);
            if (size != null && weight > 0) {
                NDArray dec = x;
                NDArray enc = kept.get(size);
                x = Scope.run(target, () -> fuseBlocks.get(size).forward(enc, dec, weight), enc, dec);
                dec.close();
            }
        }
        return x;
    }
}
