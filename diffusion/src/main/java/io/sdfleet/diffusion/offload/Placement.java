package io.sdfleet.diffusion.offload;

/**
 * What a model part tells before it runs, so that its weights can be brought to the compute device first. Parts
 * are named by their checkpoint key prefix ({@code "first_stage_model."}, {@code
 * "model.diffusion_model.input_blocks.3."}); a part inside another (a UNet block) announces itself after its
 * enclosing part did.
 */
@FunctionalInterface
public interface Placement {

    /** Plain mode: everything is resident already. */
    Placement NONE = part -> { };

    void enter(String part);
}
