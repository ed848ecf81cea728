package io.sdfleet.diffusion.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.model.Conditioning;
import io.sdfleet.diffusion.model.ConditioningSchedule;
import io.sdfleet.diffusion.model.NoisePredictor;

import java.util.ArrayList;
import java.util.List;

/**
 * Classifier-free guidance over k-diffusion's {@code CompVisDenoiser} (ε models) or {@code CompVisVDenoiser}
 * (v models), as A1111's {@code CFGDenoiser} runs it.
 *
 * <p>The UNet predicts ε or v for c_in·x at the fractional timestep of σ, and {@link PredictionConversions} makes
 * the denoised estimate of it. The guided estimate is d_u + (d_c − d_u)·scale; since the denoised estimate is
 * affine in the model output with the same x for both, guiding the output first gives the same result. When cond and uncond have the same token length they go through the UNet in one batch
 * [cond…, uncond…]; otherwise (a long prompt against a short negative) in two calls, A1111's default.
 * Conditioning may change per call (prompt editing), so it is asked for by call index. An SDXL conditioning's vector
 * travels with its context, stacked in the same order.
 *
 * <p>Composable diffusion ({@code a AND b :0.5}) gives several weighted conds: out_u + Σ wᵢ·(out_i − out_u)·scale,
 * as A1111's {@code combine_denoised}. Conds of different token lengths are brought to the longest by repeating
 * their last vector, as A1111's {@code stack_conds} does, so all conds share one UNet batch.
 */
public final class CfgDenoiser implements Denoiser {

    private final NoisePredictor unet;
    private final DiscreteSchedule schedule;
    private final List<WeightedCondition> conds;
    private final ConditioningSchedule uncondAt;
    private final float scale;
    private final float[] alphasCumprod;
    private int calls;

    /** One sub-prompt's conditioning by call index (context [1, T, C], owned by the caller) and its weight. */
    public record WeightedCondition(ConditioningSchedule at, float weight) {
    }

    /**
     * @param condAt   call index → cond (context [1, Tc, C]; owned by the caller)
     * @param uncondAt call index → uncond (context [1, Tu, C])
     */
    public CfgDenoiser(NoisePredictor unet, DiscreteSchedule schedule, ConditioningSchedule condAt,
                       ConditioningSchedule uncondAt, float scale) {
        this(unet, schedule, List.of(new WeightedCondition(condAt, 1f)), uncondAt, scale, 0);
    }

    /**
     * Composable diffusion: several weighted conds against one uncond.
     *
     * @param firstCall the call index this denoiser starts at (a refiner taking over mid-run goes on counting)
     */
    public CfgDenoiser(NoisePredictor unet, DiscreteSchedule schedule, List<WeightedCondition> conds,
                       ConditioningSchedule uncondAt, float scale, int firstCall) {
        if (conds.isEmpty()) {
            throw new IllegalArgumentException("at least one cond is needed");
        }
        this.unet = unet;
        this.schedule = schedule;
        this.conds = List.copyOf(conds);
        this.uncondAt = uncondAt;
        this.scale = scale;
        this.alphasCumprod = schedule.alphasCumprod();
        this.calls = firstCall;
    }

    /** Denoiser calls made so far (the next call's index). */
    public int calls() {
        return calls;
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

    /** out_u + Σ wᵢ·(out_i − out_u)·scale of the raw UNet outputs (ε or v) at timestep t, in modelInput's manager. */
    private NDArray guidedOutput(NDArray modelInput, float t) {
        NDManager owner = modelInput.getManager();
        Conditioning uncond = uncondAt.at(calls);
        List<Conditioning> condNow = new ArrayList<>();
        for (WeightedCondition c : conds) {
            condNow.add(c.at().at(calls));
        }
        calls++;
        try (NDManager scope = owner.newSubManager()) {
            long batch = modelInput.getShape().get(0);
            int parts = condNow.size();
            long tokens = condNow.stream().mapToLong(c -> c.crossattn().getShape().get(1)).max().orElseThrow();
            // Per image, every cond in turn; cond and uncond live in the caller's run manager, their copies must not.
            List<Conditioning> rows = new ArrayList<>();
            for (Conditioning cond : condNow) {
                rows.add(perImage(new Conditioning(padTo(cond.crossattn(), tokens, scope), cond.vector()), batch, scope));
            }
            Conditioning uncondBatch = perImage(uncond, batch, scope);
            NDArray outUncond;
            NDArray outConds;
            if (tokens == uncond.crossattn().getShape().get(1)) {
                rows.add(uncondBatch);
                NDArray out = inScope(predict(modelInput, parts + 1, rows, t, scope), scope);
                outConds = out.get("0:{}", parts * batch);
                outUncond = out.get("{}:", parts * batch);
            } else {
                outConds = inScope(predict(modelInput, parts, rows, t, scope), scope);
                outUncond = unet.predict(modelInput, timesteps(scope, batch, t), uncondBatch);
            }
            outConds.attach(scope);
            outUncond.attach(scope);
            NDArray guided = outUncond.duplicate();
            guided.attach(scope);
            for (int i = 0; i < parts; i++) {
                NDArray outCond = inScope(outConds.get("{}:{}", i * batch, (i + 1) * batch), scope);
                NDArray step = inScope(outCond.sub(outUncond).mul(scale * conds.get(i).weight()), scope);
                guided = inScope(guided.add(step), scope);
            }
            guided.attach(owner);
            return guided;
        }
    }

    /** One UNet call on {@code copies} stacked copies of the input against the stacked conditionings. */
    private NDArray predict(NDArray modelInput, int copies, List<Conditioning> rows, float t, NDManager scope) {
        long batch = modelInput.getShape().get(0);
        NDList inputs = new NDList();
        for (int i = 0; i < copies; i++) {
            inputs.add(modelInput);
        }
        NDArray stacked = copies == 1 ? modelInput : inScope(NDArrays.concat(inputs, 0), scope);
        return unet.predict(stacked, timesteps(scope, copies * batch, t), stack(rows, scope));
    }

    /** The conditioning repeated for each of {@code batch} images, as copies in {@code scope}. */
    private static Conditioning perImage(Conditioning c, long batch, NDManager scope) {
        return new Conditioning(inScope(c.crossattn().repeat(0, batch), scope),
                c.vector() == null ? null : inScope(c.vector().repeat(0, batch), scope));
    }

    /** Rows of conditionings concatenated along the batch, contexts with contexts and vectors with vectors. */
    private static Conditioning stack(List<Conditioning> rows, NDManager scope) {
        if (rows.size() == 1) {
            return rows.getFirst();
        }
        NDList contexts = new NDList();
        NDList vectors = new NDList();
        for (Conditioning row : rows) {
            contexts.add(row.crossattn());
            if (row.vector() != null) {
                vectors.add(row.vector());
            }
        }
        if (!vectors.isEmpty() && vectors.size() != rows.size()) {
            throw new IllegalArgumentException("either every conditioning has a vector or none has");
        }
        return new Conditioning(inScope(NDArrays.concat(contexts, 0), scope),
                vectors.isEmpty() ? null : inScope(NDArrays.concat(vectors, 0), scope));
    }

    /** A1111's {@code stack_conds}: a shorter cond repeats its last vector up to {@code tokens}. */
    private static NDArray padTo(NDArray cond, long tokens, NDManager scope) {
        long have = cond.getShape().get(1);
        if (have == tokens) {
            return cond;
        }
        NDArray last = inScope(cond.get(":, {}:", have - 1), scope);
        NDArray repeated = inScope(last.repeat(1, tokens - have), scope);
        return inScope(NDArrays.concat(new NDList(cond, repeated), 1), scope);
    }

    private static NDArray inScope(NDArray array, NDManager scope) {
        array.attach(scope);
        return array;
    }

    private static NDArray timesteps(NDManager scope, long n, float t) {
        return scope.full(new Shape(n), t);
    }
}
