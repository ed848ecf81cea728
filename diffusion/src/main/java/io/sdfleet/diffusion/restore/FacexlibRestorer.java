package io.sdfleet.diffusion.restore;

import ai.djl.ndarray.NDManager;

/**
 * A1111's face restoration around one network, as facexlib's FaceRestoreHelper runs it (RetinaFace detection at 640,
 * five-landmark alignment to the 512 template, the network, ParseNet mask and paste-back).
 */
final class FacexlibRestorer {

    private FacexlibRestorer() {
    }

    static FaceRestorer open(String model, FaceRestorerLibrary.RestorerFiles files, NDManager manager) {
        throw new UnsupportedOperationException("face restoration (" + model + ") is not built into this engine yet");
    }
}
