package io.sdfleet.diffusion.unet;

import ai.djl.ndarray.NDArray;
import io.sdfleet.diffusion.nn.Activations;
import io.sdfleet.diffusion.nn.Linear;
import io.sdfleet.diffusion.nn.Weights;

/**
 * SDXL's class embedding of the vector conditioning ({@code label_emb.0}, sgm's {@code num_classes: "sequential"}):
 * Linear(adm_in_channels → 4·model_channels), SiLU, Linear, added to the time embedding.
 */
final class LabelEmbedding {

    /** The key whose presence makes a UNet take y. */
    static final String KEY = "label_emb.0.0.weight";

    private final Linear in;   // label_emb.0.0
    private final Linear out;  // label_emb.0.2
    private final int inChannels;

    private LabelEmbedding(Linear in, Linear out, int inChannels) {
        this.in = in;
        this.out = out;
        this.inChannels = inChannels;
    }

    /** @param w weights positioned at the UNet */
    static LabelEmbedding load(Weights w) {
        int adm = Math.toIntExact(w.shape(KEY)[1]);
        return new LabelEmbedding(Linear.load(w.at("label_emb.0.0")), Linear.load(w.at("label_emb.0.2")), adm);
    }

    NDArray forward(NDArray y) {
        return out.forward(Activations.silu(in.forward(y)));
    }

    int inChannels() {
        return inChannels;
    }
}
