package io.sdfleet.diffusion.loading;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.model.NoisePredictor;

/**
 * A1111's guess of an SD 2.x checkpoint's parameterization when no config says
 * ({@code sd_models_config.is_using_v_parameterization_for_sd2}): one UNet call on a constant latent of 0.5 at the
 * noisiest timestep (999) with a constant context of 0.5. There x_t is almost pure noise, so an ε model returns
 * about x itself, while v = √ᾱ·ε − √(1 − ᾱ)·x₀ ≈ −x₀ pulls the output well below x: v when mean(out − x) < −1.
 */
final class VPredictionProbe {

    static final float PROBE_VALUE = 0.5f;
    static final float PROBE_TIMESTEP = 999f;
    static final double V_THRESHOLD = -1;

    private VPredictionProbe() {
    }

    /** mean(unet(x, 999, c) − x) for the probe inputs; the UNet's declared prediction is not consulted. */
    public static double meanOffset(NoisePredictor unet, NDManager manager, int contextDim) {
        try (NDManager probe = manager.newSubManager()) {
            NDArray x = probe.full(new Shape(1, 4, 8, 8), PROBE_VALUE);
            NDArray context = probe.full(new Shape(1, 2, contextDim), PROBE_VALUE);
            NDArray t = probe.full(new Shape(1), PROBE_TIMESTEP);
            NDArray out = unet.predict(x, t, context);
            out.attach(probe);
            return out.sub(x).mean().toType(DataType.FLOAT64, false).getDouble();
        }
    }

    public static NoisePredictor.Prediction detect(NoisePredictor unet, NDManager manager, int contextDim) {
        return meanOffset(unet, manager, contextDim) < V_THRESHOLD
                ? NoisePredictor.Prediction.V : NoisePredictor.Prediction.EPSILON;
    }
}
