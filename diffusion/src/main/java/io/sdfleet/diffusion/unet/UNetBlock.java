package io.sdfleet.diffusion.unet;

import ai.djl.ndarray.NDArray;

/** One entry of LDM's TimestepEmbedSequential: each block takes what it needs of (h, emb, context, settings). */
interface UNetBlock {

    /** h [B, C, H, W], emb [B, E], context [B, T, D] → new h; results may live in h's manager. */
    NDArray forward(NDArray h, NDArray emb, NDArray context, UNetSettings settings);
}
