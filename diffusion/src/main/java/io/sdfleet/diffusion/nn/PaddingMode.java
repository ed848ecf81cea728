package io.sdfleet.diffusion.nn;

/** How a convolution fills the border: zeros (every SD checkpoint) or wrap-around ("tiling", seamless textures). */
public enum PaddingMode {
    ZEROS,
    CIRCULAR
}
