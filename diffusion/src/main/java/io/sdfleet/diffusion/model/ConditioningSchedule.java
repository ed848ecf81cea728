package io.sdfleet.diffusion.model;

/**
 * One prompt's conditioning over a run, by denoiser call: prompt editing and alternation change it from call to call
 * (A1111's {@code reconstruct_cond_batch}). The conditionings belong to whoever made the schedule.
 */
@FunctionalInterface
public interface ConditioningSchedule {

    Conditioning at(int call);

    /** The same conditioning at every call. */
    static ConditioningSchedule constant(Conditioning conditioning) {
        return call -> conditioning;
    }
}
