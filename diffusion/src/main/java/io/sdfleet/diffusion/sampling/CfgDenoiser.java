package io.sdfleet.diffusion.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.sdfleet.diffusion.model.NoisePredictor;

import java.util.function.IntFunction;

/**
 * Classifier-free guidance over k-diffusion's {@code CompVisDenoiser} (ε models) or {@code CompVisVDenoiser}
 * (v models), as A1111's {@code CFGDenoiser} runs it.
 *
 * <p>The UNet predicts ε or v for c_in·x at the fractional timestep of σ, and {@link PredictionConversions} makes
 * the denoised estimate of it. The guided estimate is d_u + (d_c − d_u)·scale; since the denoised estimate is
 * affine in the model output with the same x for both, guiding the output first gives the same result. When cond and uncond have the same token length they go through the UNet in one batch
 * [cond…, uncond…]; otherwise (a long prompt against a short negative) in two calls, A1111's default.
 * Conditioning may change per call (prompt editing), so it is asked for by call index.
 */
public final class CfgDenoiser implements Denoiser {

    private final NoisePredictor unet;
    private final DiscreteSchedule schedule;
    private final IntFunction<NDArray> condAt;
    private final IntFunction<NDArray> uncondAt;
    private final float scale;
    private final float[] alphasCumprod;
    private int calls;

    /**
     * @param condAt   call index → cond [1, Tc, C] (owned by the caller)
     * @param uncondAt call index → uncond [1, Tu, C]
     */
    public CfgDenoiser(NoisePredictor unet, DiscreteSchedule schedule, IntFunction<NDArray> condAt,
                       IntFunction<NDArray> uncondAt, float scale) {
        this.unet = unet;
        this.schedule = schedule;
        this.condAt = condAt;
        this.uncondAt = uncondAt;
        this.scale = scale;
        this.alphasCumprod = schedule.alphasCumprod();
    }

    @Override
    public NDArray denoise(NDArray x, float sigma) {
        NDManager owner = x.getManager();
        try (NDManager scope = owner.newSubManager()) {
            float cIn = (float) (1.0 / Math.sqrt(sigma * sigma + 1.0));
            NDArray scaled = x.mul(cIn);
            scaled.attach(scope);
            NDArray output = guidedOutput(scaled, schedule.sigmaToT(sigma));
            output.attach(scope);
            NDArray denoised = PredictionConversions.denoised(unet.prediction(), x, output, sigma);
            denoised.attach(owner);
            return denoised;
        }
    }

    /**
     * The guided noise prediction ε_u + (ε_c − ε_u)·scale for the UNet input {@code modelInput} at timestep t; what
     * A1111's timestep samplers (DDIM, UniPC) call directly. A v model's guided output becomes ε with ᾱ at the
     * timestep truncated to an integer, as A1111's {@code CompVisTimestepsVDenoiser} indexes it (UniPC asks at
     * fractional timesteps).
     */
    public NDArray guidedEps(NDArray modelInput, float t) {
        NDManager owner = modelInput.getManager();
        try (NDManager scope = owner.newSubManager()) {
            NDArray output = guidedOutput(modelInput, t);
            output.attach(scope);
            double alphaCumprod = alphasCumprod[Math.min(alphasCumprod.length - 1, (int) t)];
            NDArray eps = PredictionConversions.eps(unet.prediction(), modelInput, output, alphaCumprod);
            eps.attach(owner);
            return eps;
        }
    }

    /** out_u + (out_c − out_u)·scale of the raw UNet outputs (ε or v) at timestep t, in modelInput's manager. */
    private NDArray guidedOutput(NDArray modelInput, float t) {
        NDManager owner = modelInput.getManager();
        NDArray cond = condAt.apply(calls);
        NDArray uncond = uncondAt.apply(calls);
        calls++;
        try (NDManager scope = owner.newSubManager()) {
            long batch = modelInput.getShape().get(0);
            // cond and uncond live in the caller's run manager: their per-image copies must not.
            NDArray condBatch = inScope(cond.repeat(0, batch), scope);
            NDArray uncondBatch = inScope(uncond.repeat(0, batch), scope);
            NDArray outCond;
            NDArray outUncond;
            if (cond.getShape().get(1) == uncond.getShape().get(1)) {
                NDArray both = inScope(NDArrays.concat(new NDList(modelInput, modelInput), 0), scope);
                NDArray context = NDArrays.concat(new NDList(condBatch, uncondBatch), 0);
                NDArray out = inScope(unet.predict(both, timesteps(scope, 2 * batch, t), context), scope);
                outCond = out.get("0:{}", batch);
                outUncond = out.get("{}:", batch);
            } else {
                outCond = unet.predict(modelInput, timesteps(scope, batch, t), condBatch);
                outUncond = unet.predict(modelInput, timesteps(scope, batch, t), uncondBatch);
            }
            outCond.attach(scope);
            outUncond.attach(scope);
            NDArray guided = outUncond.add(outCond.sub(outUncond).mul(scale));
            guided.attach(owner);
            return guided;
        }
    }

    private static NDArray inScope(NDArray array, NDManager scope) {
        array.attach(scope);
        return array;
    }

    private static NDArray timesteps(NDManager scope, long n, float t) {
        return scope.full(new ai.djl.ndarray.types.Shape(n), t);
    }
}
