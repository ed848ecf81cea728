package io.sdfleet.diffusion.restore.restorer;

import ai.djl.ndarray.NDManager;

/**
 * Where a run gets its face restorers: generation's restore faces, the Extras' GFPGAN and CodeFormer steps and
 * {@code ./sd} open them by A1111's name. {@link FaceRestorerLibrary} is the real one; a test may give its own.
 */
@FunctionalInterface
public interface FaceRestorers {

    /**
     * The restorer A1111 calls {@code name} ("GFPGAN" or "CodeFormer"), its networks read into {@code manager}.
     *
     * @throws FaceRestorerLibrary.MissingFaceRestorerException naming the files that are not here
     */
    FaceRestorer open(String name, NDManager manager);
}
