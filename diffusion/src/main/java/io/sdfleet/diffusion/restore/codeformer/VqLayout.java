package io.sdfleet.diffusion.restore.codeformer;

/**
 * The VQ autoencoder CodeFormer fixes ({@code VQAutoEncoder(512, 64, [1, 2, 2, 4, 4, 8], "nearest", 2, [16])}):
 * one resolution level per channel multiplier, two residual blocks per level, attention at 16 px.
 */
final class VqLayout {

    static final int IMAGE_SIZE = 512;
    static final int[] CHANNEL_MULTIPLIERS = {1, 2, 2, 4, 4, 8};
    static final int RES_BLOCKS = 2;
    static final int ATTENTION_SIZE = 16;

    private VqLayout() {
    }

    static int levels() {
        return CHANNEL_MULTIPLIERS.length;
    }
}
