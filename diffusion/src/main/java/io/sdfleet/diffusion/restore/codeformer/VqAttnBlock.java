package io.sdfleet.diffusion.restore.codeformer;

import ai.djl.ndarray.NDArray;
import io.sdfleet.diffusion.nn.Attention;
import io.sdfleet.diffusion.nn.GroupNorm;
import io.sdfleet.diffusion.nn.Linear;
import io.sdfleet.diffusion.nn.Weights;

/**
 * VQGAN {@code AttnBlock}: x + proj_out(softmax(q·kᵀ·C^-½)·v) over the pixels of norm(x), one head. q, k, v and
 * proj_out are 1×1 convs in the file, applied here as linears over the pixel tokens (the same arithmetic).
 */
final class VqAttnBlock implements VqBlock {

    private static final Attention ATTENTION = Attention.unchunked(); // 16×16 pixels: 256 tokens

    private final GroupNorm norm;
    private final Linear q;
    private final Linear k;
    private final Linear v;
    private final Linear projOut;

    VqAttnBlock(Weights w) {
        norm = GroupNorm.load(w.at("norm"), VqResBlock.GROUPS, VqResBlock.EPS);
        q = Linear.loadFlattening(w.at("q"));
        k = Linear.loadFlattening(w.at("k"));
        v = Linear.loadFlattening(w.at("v"));
        projOut = Linear.loadFlattening(w.at("proj_out"));
    }

    @Override
    public NDArray forward(NDArray x) {
        long b = x.getShape().get(0);
        long c = x.getShape().get(1);
        long height = x.getShape().get(2);
        long width = x.getShape().get(3);
        NDArray tokens = norm.forward(x).transpose(0, 2, 3, 1).reshape(b, -1, c); // [B, H·W, C]
        NDArray attended = ATTENTION.multiHead(q.forward(tokens), k.forward(tokens), v.forward(tokens), 1, null);
        NDArray image = projOut.forward(attended).reshape(b, height, width, c).transpose(0, 3, 1, 2);
        return x.add(image);
    }
}
