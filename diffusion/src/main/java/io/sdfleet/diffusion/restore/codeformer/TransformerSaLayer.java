package io.sdfleet.diffusion.restore.codeformer;

import ai.djl.ndarray.NDArray;
import io.sdfleet.diffusion.nn.Activations;
import io.sdfleet.diffusion.nn.Attention;
import io.sdfleet.diffusion.nn.LayerNorm;
import io.sdfleet.diffusion.nn.Linear;
import io.sdfleet.diffusion.nn.Scope;
import io.sdfleet.diffusion.nn.Weights;

/**
 * CodeFormer's pre-norm {@code TransformerSALayer} ({@code ft_layers.N}):
 * h = x + attn(q = k = norm1(x) + pos, v = norm1(x)); out = h + linear2(gelu(linear1(norm2(h)))).
 *
 * <p>The attention is torch's {@code nn.MultiheadAttention} (8 heads, scale (C/8)^-½, out_proj after), whose q, k
 * and v projections are stacked in one {@code in_proj_weight [3C, C]}; they are split once here. The position
 * embedding goes into queries and keys only. Dropout is 0 and the activation is the exact (erf) GELU.
 */
final class TransformerSaLayer {

    static final int HEADS = 8;
    private static final Attention ATTENTION = Attention.unchunked(); // 256 tokens

    private final LayerNorm norm1;
    private final Linear q;
    private final Linear k;
    private final Linear v;
    private final Linear outProj;
    private final LayerNorm norm2;
    private final Linear linear1;
    private final Linear linear2;

    TransformerSaLayer(Weights w) {
        norm1 = LayerNorm.load(w.at("norm1"), LayerNorm.DEFAULT_EPS);
        NDArray inWeight = w.parameter("self_attn.in_proj_weight").get(); // the slices below are views of these
        NDArray inBias = w.parameter("self_attn.in_proj_bias").get();
        long width = inWeight.getShape().get(1);
        q = stackedPart(inWeight, inBias, 0, width);
        k = stackedPart(inWeight, inBias, 1, width);
        v = stackedPart(inWeight, inBias, 2, width);
        outProj = Linear.load(w.at("self_attn.out_proj"));
        norm2 = LayerNorm.load(w.at("norm2"), LayerNorm.DEFAULT_EPS);
        linear1 = Linear.load(w.at("linear1"));
        linear2 = Linear.load(w.at("linear2"));
    }

    /** Rows [part·C, (part + 1)·C) of the stacked projection: part 0 = q, 1 = k, 2 = v. */
    private static Linear stackedPart(NDArray weight, NDArray bias, int part, long width) {
        long from = part * width;
        long to = from + width;
        return new Linear(weight.get("{}:{}", from, to), bias.get("{}:{}", from, to));
    }

    /** x [B, T, C] tokens, pos [1, T, C] → [B, T, C] in x's manager. */
    NDArray forward(NDArray x, NDArray pos) {
        return Scope.run(() -> {
            NDArray normed = norm1.forward(x);
            NDArray queryKey = normed.add(pos);
            NDArray attended = ATTENTION.multiHead(q.forward(queryKey), k.forward(queryKey), v.forward(normed),
                    HEADS, null);
            NDArray h = x.add(outProj.forward(attended));
            NDArray mlp = linear2.forward(Activations.gelu(linear1.forward(norm2.forward(h))));
            return h.add(mlp);
        }, x); // pos is the network's own: not borrowed, so concurrent forwards can share it
    }
}
