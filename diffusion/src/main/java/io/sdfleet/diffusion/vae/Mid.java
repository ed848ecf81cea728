package io.sdfleet.diffusion.vae;

import io.sdfleet.diffusion.nn.Weights;

import java.util.List;

/** The VAE's middle at the lowest resolution, shared by encoder and decoder: block_1, attn_1, block_2. */
final class Mid {

    private Mid() {
    }

    static void addTo(List<Stage> stages, Weights w) {
        stages.add(new ResnetBlock(w.at("block_1")));
        stages.add(new AttnBlock(w.at("attn_1")));
        stages.add(new ResnetBlock(w.at("block_2")));
    }
}
