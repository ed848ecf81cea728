package io.sdfleet.diffusion.vae;

import ai.djl.ndarray.NDArray;
import io.sdfleet.diffusion.checkpoint.Weights;
import io.sdfleet.diffusion.nn.Attention;
import io.sdfleet.diffusion.nn.Conv2d;

import java.util.List;
import java.util.function.UnaryOperator;

/** The VAE's middle at the lowest resolution, shared by encoder and decoder: block_1, attn_1, block_2. */
final class Mid {

    private Mid() {
    }

    static void addTo(List<UnaryOperator<NDArray>> stages, Weights w, Attention attention,
                      List<Conv2d> convolutions) {
        stages.add(new ResnetBlock(w.at("block_1"), convolutions));
        stages.add(new AttnBlock(w.at("attn_1"), attention));
        stages.add(new ResnetBlock(w.at("block_2"), convolutions));
    }
}
