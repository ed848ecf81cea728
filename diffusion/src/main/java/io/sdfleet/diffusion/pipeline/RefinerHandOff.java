package io.sdfleet.diffusion.pipeline;

import ai.djl.ndarray.NDArray;
import io.sdfleet.diffusion.sampling.CfgDenoiser;
import io.sdfleet.diffusion.sampling.Denoiser;
import io.sdfleet.diffusion.sampling.DiscreteSchedule;
import io.sdfleet.request.Refiner;

/**
 * A1111's {@code apply_refiner}, checked at every denoiser call: the call's completed ratio is
 * {@code (999 − ts) / 1000} with ts the training step nearest σ (a timestep sampler's t itself); from the first call
 * whose ratio reaches the refiner's switch point, the refiner's guided denoiser — its UNet, its own conditioning —
 * answers every call. The sampler never notices: its σ schedule and its state (a multistep sampler's previous
 * denoised) carry over.
 */
final class RefinerHandOff implements Denoiser {

    /** Builds the refiner's guided denoiser when the hand-off happens, going on from call {@code firstCall}. */
    @FunctionalInterface
    interface RefinerDenoiser {
        CfgDenoiser from(int firstCall);
    }

    private final Refiner refiner;
    private final DiscreteSchedule schedule;
    private final RefinerDenoiser refinerDenoiser;
    private CfgDenoiser current;
    private Integer handedOffAt;

    RefinerHandOff(CfgDenoiser base, Refiner refiner, DiscreteSchedule schedule, RefinerDenoiser refinerDenoiser) {
        this.current = base;
        this.refiner = refiner;
        this.schedule = schedule;
        this.refinerDenoiser = refinerDenoiser;
    }

    @Override
    public NDArray denoise(NDArray x, float sigma) {
        handOffIfDue(schedule.nearestT(sigma));
        return current.denoise(x, sigma);
    }

    /** The guided ε for timestep samplers (DDIM, UniPC), whose "σ" A1111 reads as the timestep. */
    NDArray guidedEps(NDArray modelInput, float t) {
        handOffIfDue((int) t);
        return current.guidedEps(modelInput, t);
    }

    private void handOffIfDue(int timestep) {
        float completedRatio = (999 - timestep) / 1000f;
        if (handedOffAt == null && refiner.takesOverAt(completedRatio)) {
            handedOffAt = current.calls();
            current = refinerDenoiser.from(handedOffAt);
        }
    }

    /** Whether the refiner took over (A1111 writes "Refiner" into the infotext only then). */
    boolean handedOff() {
        return handedOffAt != null;
    }

    /** The denoiser call at which the refiner took over; null when it did not. */
    Integer handedOffAt() {
        return handedOffAt;
    }
}
