package io.sdfleet.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

/** The element-wise non-linearities of SD's networks; each returns a new array in x's manager. */
public final class Activations {

    private Activations() {
    }

    /** SiLU / swish: x·σ(x) (UNet, VAE). */
    public static NDArray silu(NDArray x) {
        try (NDArray gate = Activation.sigmoid(x)) {
            return x.mul(gate);
        }
    }

    /** Exact (erf) GELU, torch's default (UNet GEGLU, OpenCLIP). */
    public static NDArray gelu(NDArray x) {
        return Activation.gelu(x);
    }

    /** OpenAI CLIP's x·σ(1.702·x). */
    public static NDArray quickGelu(NDArray x) {
        try (NDArray scaled = x.mul(1.702f); NDArray gate = Activation.sigmoid(scaled)) {
            return x.mul(gate);
        }
    }
}
