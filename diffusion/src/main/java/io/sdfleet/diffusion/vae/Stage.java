package io.sdfleet.diffusion.vae;

import ai.djl.ndarray.NDArray;

/** One block of a VAE chain (resnet block, attention, resampling, head): x → new x, results in x's manager. */
interface Stage {

    NDArray apply(NDArray x, StageSettings settings);
}
