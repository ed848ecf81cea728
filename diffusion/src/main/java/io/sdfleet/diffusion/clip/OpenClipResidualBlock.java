package io.sdfleet.diffusion.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import io.sdfleet.diffusion.nn.Weights;
import io.sdfleet.diffusion.nn.Activations;
import io.sdfleet.diffusion.nn.Attention;
import io.sdfleet.diffusion.nn.LayerNorm;
import io.sdfleet.diffusion.nn.Linear;
import io.sdfleet.diffusion.nn.Scope;

/**
 * One pre-norm block of open_clip's text transformer ({@code ResidualAttentionBlock}):
 * h = h + out(attn(ln_1(h))) ; h = h + c_proj(gelu(c_fc(ln_2(h)))).
 *
 * <p>The attention is torch's {@code nn.MultiheadAttention}, whose q, k and v projections are stored stacked in
 * one {@code in_proj_weight [3W, W]}. It stays one layer parameter, run as one projection split into q, k and v
 * (as torch does), so that a LoRA on q, k or v patches its rows of it (A1111's {@code in_proj_weight += Δqkv}).
 */
final class OpenClipResidualBlock {

    private final LayerNorm norm1;
    private final Linear inProjection;
    private final Linear out;
    private final LayerNorm norm2;
    private final Linear fc;
    private final Linear proj;
    private final int heads;
    private final Attention attention;

    private OpenClipResidualBlock(Weights w, int heads, Attention attention) {
        this.norm1 = LayerNorm.load(w.at("ln_1"), LayerNorm.DEFAULT_EPS);
        this.inProjection = new Linear(w.parameter("attn.in_proj_weight"), w.parameter("attn.in_proj_bias"));
        this.out = Linear.load(w.at("attn.out_proj"));
        this.norm2 = LayerNorm.load(w.at("ln_2"), LayerNorm.DEFAULT_EPS);
        this.fc = Linear.load(w.at("mlp.c_fc"));
        this.proj = Linear.load(w.at("mlp.c_proj"));
        this.heads = heads;
        this.attention = attention;
    }

    static OpenClipResidualBlock load(Weights w, int heads, Attention attention) {
        return new OpenClipResidualBlock(w, heads, attention);
    }

    /** h [B, T, W], causalMask [T, T] additive → [B, T, W] in h's manager. */
    NDArray forward(NDArray h, NDArray causalMask) {
        return Scope.run(() -> {
            NDArray x = norm1.forward(h);
            NDList qkv = inProjection.forward(x).split(3, 2); // [q | k | v] along channels
            NDArray attended = attention.multiHead(qkv.get(0), qkv.get(1), qkv.get(2), heads, causalMask);
            NDArray h1 = h.add(out.forward(attended));
            NDArray mlp = proj.forward(Activations.gelu(fc.forward(norm2.forward(h1))));
            return h1.add(mlp);
        }, h, causalMask);
    }
}
