package io.sdfleet.diffusion.unet;

import ai.djl.ndarray.NDArray;
import io.sdfleet.diffusion.nn.Weights;
import io.sdfleet.diffusion.nn.Linear;

/** LDM {@code CrossAttention}: queries from x, keys and values from the context (or x itself for attn1). */
final class CrossAttention {

    private final Linear toQ;
    private final Linear toK;
    private final Linear toV;
    private final Linear toOut; // to_out.0 (to_out.1 is dropout)
    private final int heads;

    CrossAttention(Weights w, HeadLayout layout) {
        toQ = Linear.load(w.at("to_q"));
        toK = Linear.load(w.at("to_k"));
        toV = Linear.load(w.at("to_v"));
        toOut = Linear.load(w.at("to_out.0"));
        heads = layout.headsFor(toQ.outFeatures());
    }

    /** x [B, N, C], context [B, T, D] or null for self-attention. */
    NDArray forward(NDArray x, NDArray context, UNetSettings settings) {
        NDArray source = context == null ? x : context;
        NDArray q = toQ.forward(x);
        ContextTransform transform = settings.contextTransform();
        ContextTransform.Sources sources = transform == null ? null : transform.apply(source);
        if (sources != null) { // new arrays made from the context: they belong to the block's scope
            sources.forKeys().attach(q.getManager());
            sources.forValues().attach(q.getManager());
        }
        NDArray k = toK.forward(sources == null ? source : sources.forKeys());
        NDArray v = toV.forward(sources == null ? source : sources.forValues());
        if (context != null) { // computed from the context: bring them into the block's scope
            k.attach(q.getManager());
            v.attach(q.getManager());
        }
        return toOut.forward(settings.attention().multiHead(q, k, v, heads, null));
    }
}
