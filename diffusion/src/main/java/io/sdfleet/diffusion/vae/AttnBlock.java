package io.sdfleet.diffusion.vae;

import ai.djl.ndarray.NDArray;
import io.sdfleet.diffusion.nn.Weights;
import io.sdfleet.diffusion.nn.GroupNorm;
import io.sdfleet.diffusion.nn.Linear;

/**
 * LDM VAE {@code AttnBlock}: single-head self-attention over pixels, x + proj_out(attn(q, k, v)) with scale C^-½.
 * q, k, v and proj_out are 1×1 convs in LDM files and [C, C] linears in newer conversions; both load, as
 * linears over the pixel tokens (the same arithmetic).
 */
final class AttnBlock implements Stage {

    private final GroupNorm norm;
    private final Linear q;
    private final Linear k;
    private final Linear v;
    private final Linear projOut;

    AttnBlock(Weights w) {
        norm = GroupNorm.load(w.at("norm"), GroupNorm.SD_GROUPS, GroupNorm.LDM_NORMALIZE_EPS);
        q = Linear.loadFlattening(w.at("q"));
        k = Linear.loadFlattening(w.at("k"));
        v = Linear.loadFlattening(w.at("v"));
        projOut = Linear.loadFlattening(w.at("proj_out"));
    }

    @Override
    public NDArray apply(NDArray x, StageSettings settings) {
        long b = x.getShape().get(0);
        long c = x.getShape().get(1);
        long height = x.getShape().get(2);
        long width = x.getShape().get(3);
        NDArray tokens = norm.forward(x, settings.norms()).transpose(0, 2, 3, 1).reshape(b, -1, c); // [B, H·W, C]
        NDArray attended = settings.attention()
                .multiHead(q.forward(tokens), k.forward(tokens), v.forward(tokens), 1, null);
        NDArray image = projOut.forward(attended).reshape(b, height, width, c).transpose(0, 3, 1, 2);
        return x.add(image);
    }
}
