package io.sdfleet.diffusion.restore.align;

import io.sdfleet.diffusion.image.PixelPlanes;
import io.sdfleet.diffusion.restore.opencv.AffineWarp;

/**
 * facexlib's {@code align_warp_face} and {@code get_inverse_affine} for one face, with A1111's helper settings
 * (face size 512, crop ratio (1, 1), constant border, upscale factor 1).
 */
public final class FaceAlignment {

    /** A1111's restore crop size. */
    public static final int FACE_SIZE = 512;

    /** facexlib's grey border, {@code borderValue=(135, 133, 132)} in BGR, here in RGB plane order. */
    private static final int[] BORDER_RGB = {132, 133, 135};

    /**
     * One aligned face: the crop, the similarity taking the input image onto it, and the inverse
     * (times the upscale factor), which pastes the restored crop back.
     */
    public record AlignedFace(PixelPlanes crop, AffineTransform affine, AffineTransform inverseAffine) {
    }

    private FaceAlignment() {
    }

    /** The similarity from the five landmarks (x, y in the input) to the template, by OpenCV's LMedS. */
    public static AffineTransform affineFor(double[][] landmarks, int faceSize) {
        AffineTransform affine = PartialAffineEstimator.estimateLmeds(landmarks, FaceTemplate.forSize(faceSize));
        if (affine == null) {
            throw new IllegalArgumentException("no similarity fits these landmarks");
        }
        return affine;
    }

    /** Aligns one face of an RGB image at A1111's settings (512, upscale factor 1). */
    public static AlignedFace align(PixelPlanes rgb, double[][] landmarks) {
        return align(rgb, landmarks, FACE_SIZE, 1);
    }

    public static AlignedFace align(PixelPlanes rgb, double[][] landmarks, int faceSize, double upscaleFactor) {
        AffineTransform affine = affineFor(landmarks, faceSize);
        PixelPlanes crop = AffineWarp.warp(rgb, affine, faceSize, faceSize, BORDER_RGB);
        return new AlignedFace(crop, affine, affine.inverse().scaled(upscaleFactor));
    }
}
