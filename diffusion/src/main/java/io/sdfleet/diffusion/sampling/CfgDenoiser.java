package io.sdfleet.diffusion.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.sdfleet.diffusion.model.NoisePredictor;

import java.util.function.IntFunction;

/**
 * Classifier-free guidance over k-diffusion's {@code CompVisDenoiser}, as A1111's {@code CFGDenoiser} runs it.
 *
 * <p>The UNet predicts ε for c_in·x at the fractional timestep of σ; denoised = x − ε·σ. The guided estimate is
 * d_u + (d_c − d_u)·scale. When cond and uncond have the same token length they go through the UNet in one batch
 * [cond…, uncond…]; otherwise (a long prompt against a short negative) in two calls, A1111's default.
 * Conditioning may change per call (prompt editing), so it is asked for by call index.
 */
public final class CfgDenoiser implements Denoiser {

    private final NoisePredictor unet;
    private final DiscreteSchedule schedule;
    private final IntFunction<NDArray> condAt;
    private final IntFunction<NDArray> uncondAt;
    private final float scale;
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
    }

    @Override
    public NDArray denoise(NDArray x, float sigma) {
        NDManager owner = x.getManager();
        try (NDManager scope = owner.newSubManager()) {
            float cIn = (float) (1.0 / Math.sqrt(sigma * sigma + 1.0));
            NDArray scaled = x.mul(cIn);
            scaled.attach(scope);
            NDArray eps = guidedEps(scaled, schedule.sigmaToT(sigma));
            eps.attach(scope);
            NDArray denoised = x.sub(eps.mul(sigma));
            denoised.attach(owner);
            return denoised;
        }
    }

    /**
     * The guided noise prediction ε_u + (ε_c − ε_u)·scale for the UNet input {@code modelInput} at timestep t; what
     * A1111's timestep samplers (DDIM) call directly. Since denoised = x − ε·σ is linear in ε, guiding ε is the
     * same as guiding the denoised estimates.
     */
    public NDArray guidedEps(NDArray modelInput, float t) {
        NDManager owner = modelInput.getManager();
        NDArray cond = condAt.apply(calls);
        NDArray uncond = uncondAt.apply(calls);
        calls++;
        try (NDManager scope = owner.newSubManager()) {
            long batch = modelInput.getShape().get(0);
            // cond and uncond live in the caller's run manager: their per-image copies must not.
            NDArray condBatch = inScope(cond.repeat(0, batch), scope);
            NDArray uncondBatch = inScope(uncond.repeat(0, batch), scope);
            NDArray epsCond;
            NDArray epsUncond;
            if (cond.getShape().get(1) == uncond.getShape().get(1)) {
                NDArray both = inScope(NDArrays.concat(new NDList(modelInput, modelInput), 0), scope);
                NDArray context = NDArrays.concat(new NDList(condBatch, uncondBatch), 0);
                NDArray eps = inScope(unet.predict(both, timesteps(scope, 2 * batch, t), context), scope);
                epsCond = eps.get("0:{}", batch);
                epsUncond = eps.get("{}:", batch);
            } else {
                epsCond = unet.predict(modelInput, timesteps(scope, batch, t), condBatch);
                epsUncond = unet.predict(modelInput, timesteps(scope, batch, t), uncondBatch);
            }
            epsCond.attach(scope);
            epsUncond.attach(scope);
            NDArray guided = epsUncond.add(epsCond.sub(epsUncond).mul(scale));
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
