package io.sdfleet.diffusion.restore.restorer;

import io.sdfleet.diffusion.image.PixelPlanes;
import io.sdfleet.diffusion.restore.FaceRestorationNetwork;

/**
 * Restore faces on one whole image, as A1111's {@code modules.face_restoration.restore_faces} does: every face found is
 * aligned, restored by the network and pasted back; an image without faces comes back unchanged. RGB 8-bit in, the
 * same size out.
 */
public interface FaceRestorer extends AutoCloseable {

    /** The name A1111 lists the restorer under ("CodeFormer", "GFPGAN"). */
    String name();

    PixelPlanes restore(PixelPlanes image, FaceRestorationNetwork.RestoreOptions options);

    /** Frees the networks' weights. */
    @Override
    void close();
}
