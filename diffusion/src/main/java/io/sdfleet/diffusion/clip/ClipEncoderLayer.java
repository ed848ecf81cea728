package io.sdfleet.diffusion.clip;

import ai.djl.ndarray.NDArray;
import io.sdfleet.diffusion.nn.Weights;
import io.sdfleet.diffusion.nn.Activations;
import io.sdfleet.diffusion.nn.Attention;
import io.sdfleet.diffusion.nn.LayerNorm;
import io.sdfleet.diffusion.nn.Linear;
import io.sdfleet.diffusion.nn.Scope;

/**
 * One pre-norm CLIP transformer layer (HF {@code CLIPEncoderLayer}):
 * h = h + out(attn(ln1(h))) ; h = h + fc2(quick_gelu(fc1(ln2(h)))).
 */
final class ClipEncoderLayer {

    private final LayerNorm norm1;
    private final Linear q;
    private final Linear k;
    private final Linear v;
    private final Linear out;
    private final LayerNorm norm2;
    private final Linear fc1;
    private final Linear fc2;
    private final int heads;
    private final Attention attention;

    private ClipEncoderLayer(Weights w, int heads, float eps, Attention attention) {
        this.norm1 = LayerNorm.load(w.at("layer_norm1"), eps);
        this.q = Linear.load(w.at("self_attn.q_proj"));
        this.k = Linear.load(w.at("self_attn.k_proj"));
        this.v = Linear.load(w.at("self_attn.v_proj"));
        this.out = Linear.load(w.at("self_attn.out_proj"));
        this.norm2 = LayerNorm.load(w.at("layer_norm2"), eps);
        this.fc1 = Linear.load(w.at("mlp.fc1"));
        this.fc2 = Linear.load(w.at("mlp.fc2"));
        this.heads = heads;
        this.attention = attention;
    }

    static ClipEncoderLayer load(Weights w, int heads, float eps, Attention attention) {
        return new ClipEncoderLayer(w, heads, eps, attention);
    }

    /** h [B, T, W], causalMask [T, T] additive → [B, T, W] in h's manager. */
    NDArray forward(NDArray h, NDArray causalMask) {
        return Scope.run(() -> {
            NDArray x = norm1.forward(h);
            NDArray attended = attention.multiHead(q.forward(x), k.forward(x), v.forward(x), heads, causalMask);
            NDArray h1 = h.add(out.forward(attended));
            NDArray mlp = fc2.forward(Activations.quickGelu(fc1.forward(norm2.forward(h1))));
            return h1.add(mlp);
        }, h, causalMask);
    }
}
