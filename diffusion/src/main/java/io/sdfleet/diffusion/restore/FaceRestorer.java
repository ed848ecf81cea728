package io.sdfleet.diffusion.restore;

import io.sdfleet.diffusion.image.PixelPlanes;

/**
 * A face restorer as A1111's {@code FaceRestoration.restore(np_image)} runs one (facexlib's detection, alignment and
 * paste-back around {@link FaceRestorationNetwork}): an RGB 8-bit image in, the same-sized image with every face it
 * found restored out (unchanged when it finds none). A1111's GFPGAN and CodeFormer restorers are both this.
 */
public interface FaceRestorer {

    /** The name A1111 lists it under: "GFPGAN" or "CodeFormer". */
    String displayName();

    /** Restores the faces of {@code rgb}; {@code options} carries CodeFormer's weight and GFPGAN's noise seed. */
    PixelPlanes restore(PixelPlanes rgb, FaceRestorationNetwork.RestoreOptions options);
}
