package io.sdfleet.diffusion.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import io.sdfleet.diffusion.model.NoisePredictor;

/**
 * A 9-channel inpainting UNet (LDM {@code conditioning_key: hybrid}) seen as an ordinary one: every call gets the
 * image conditioning — [mask, masked-image latent], 5 channels — appended to its 4 latent channels. The conditioning
 * is per image, so it is repeated when guidance stacks cond and uncond rows into one batch.
 */
final class ImageConditionedUNet implements NoisePredictor {

    private final NoisePredictor unet;
    private final NDArray imageConditioning;

    /** @param imageConditioning [B, 5, h, w] */
    ImageConditionedUNet(NoisePredictor unet, NDArray imageConditioning) {
        this.unet = unet;
        this.imageConditioning = imageConditioning;
    }

    @Override
    public NDArray predict(NDArray x, NDArray timesteps, NDArray context) {
        return predict(x, timesteps, context, null);
    }

    @Override
    public NDArray predict(NDArray x, NDArray timesteps, NDArray context, NDArray vector) {
        long rows = x.getShape().get(0);
        long images = imageConditioning.getShape().get(0);
        try (NDArray image = rows == images ? imageConditioning.duplicate() : stacked(rows / images);
             NDArray input = NDArrays.concat(new NDList(x, image.toType(x.getDataType(), false)), 1)) {
            return unet.predict(input, timesteps, context, vector);
        }
    }

    /** [c…, c…] — the conditioning once per guidance half (cond rows, then uncond rows). */
    private NDArray stacked(long copies) {
        NDList parts = new NDList();
        for (long i = 0; i < copies; i++) {
            parts.add(imageConditioning);
        }
        return NDArrays.concat(parts, 0);
    }

    @Override
    public Prediction prediction() {
        return unet.prediction();
    }
}
