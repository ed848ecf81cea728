package io.sdfleet.diffusion.unet;

import ai.djl.ndarray.NDArray;
import io.sdfleet.diffusion.model.NoisePredictor;

/** A shared UNet as one run's samplers see it: every prediction computed with that run's settings. */
record UNetForRun(UNetModel unet, UNetSettings settings) implements NoisePredictor {

    @Override
    public NDArray predict(NDArray x, NDArray timesteps, NDArray context) {
        return unet.predict(x, timesteps, context, settings);
    }

    @Override
    public NDArray predict(NDArray x, NDArray timesteps, NDArray context, NDArray vector) {
        return unet.predict(x, timesteps, context, vector, settings);
    }

    @Override
    public Prediction prediction() {
        return unet.prediction();
    }
}
