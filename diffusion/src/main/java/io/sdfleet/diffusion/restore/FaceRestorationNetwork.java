package io.sdfleet.diffusion.restore;

import ai.djl.ndarray.NDArray;

/**
 * A network that restores one aligned face, as A1111's restore modules call GFPGAN and CodeFormer through facexlib's
 * helper: the 512×512 crop as a [1, 3, 512, 512] RGB tensor in [−1, 1] in, the restored crop in the same form out.
 * The conversions from and to 8-bit pixels belong to the caller, which is the same for every network.
 */
public interface FaceRestorationNetwork {

    /** The name A1111 lists it under ({@code /sdapi/v1/face-restorers}, {@code face_restoration_model}). */
    String displayName();

    /** Restores one face; the result is attached to the input's manager. */
    NDArray restore(NDArray alignedFace, RestoreOptions options);

    /**
     * What a restore may vary: CodeFormer's fidelity weight ({@code code_former_weight}) and the seed of GFPGAN's
     * per-layer noise (A1111 draws it from the global generator; sdfleet seeds it so a restore is reproducible).
     */
    record RestoreOptions(double codeFormerWeight, long noiseSeed) {
    }
}
