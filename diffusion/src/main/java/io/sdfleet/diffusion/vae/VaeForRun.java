package io.sdfleet.diffusion.vae;

import ai.djl.ndarray.NDArray;

/** A shared VAE as one run uses it: every decode and encode computed with that run's settings. */
record VaeForRun(AutoencoderKL vae, VaeSettings settings) implements Autoencoder {

    @Override
    public NDArray decode(NDArray z) {
        return vae.decode(z, settings);
    }

    @Override
    public VaeDecode decodeReporting(NDArray z) {
        return vae.decodeReporting(z, settings);
    }

    @Override
    public Posterior encode(NDArray image) {
        return vae.encode(image, settings);
    }

    @Override
    public float scaleFactor() {
        return vae.scaleFactor();
    }
}
