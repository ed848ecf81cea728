package io.sdfleet.diffusion.restore;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.sdfleet.diffusion.image.PixelPlanes;
import io.sdfleet.diffusion.restore.align.FaceAlignment;
import io.sdfleet.diffusion.restore.align.FaceAlignment.AlignedFace;
import io.sdfleet.diffusion.restore.parse.FaceParser;
import io.sdfleet.diffusion.restore.paste.FacePaste;
import io.sdfleet.diffusion.restore.paste.FacePaste.RestoredFace;

import java.util.ArrayList;
import java.util.List;

/**
 * A1111's {@code restore_with_face_helper} after detection: for each face's five landmarks, align a 512×512 crop,
 * restore it with the network, parse it, and paste every face back into the image (facexlib's helper with
 * upscale factor 1 and {@code use_parse=True}).
 */
public final class FaceRestoreHelper {

    private final FaceParser parser;

    public FaceRestoreHelper(FaceParser parser) {
        this.parser = parser;
    }

    /**
     * The RGB image with its faces restored; {@code landmarks} holds per face five (x, y) points in the image
     * (left eye, right eye, nose, mouth corners), in detection order. No faces: the image itself.
     */
    public PixelPlanes restore(PixelPlanes rgb, List<double[][]> landmarks, FaceRestorationNetwork network,
                               FaceRestorationNetwork.RestoreOptions options, NDManager manager) {
        if (landmarks.isEmpty()) {
            return rgb;
        }
        List<RestoredFace> faces = new ArrayList<>();
        for (double[][] points : landmarks) {
            AlignedFace aligned = FaceAlignment.align(rgb, points);
            PixelPlanes restored;
            try (NDManager call = manager.newSubManager()) {
                NDArray output = network.restore(FaceTensors.toNetworkInput(aligned.crop(), call), options);
                restored = FaceTensors.fromNetworkOutput(output);
            }
            faces.add(new RestoredFace(restored, aligned.inverseAffine(), parser.mask(restored, manager)));
        }
        return FacePaste.paste(rgb, faces);
    }
}
