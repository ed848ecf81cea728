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
     * One aligned face: the crop, the similarity taking the input image onto it, and its inverse, which pastes the
     * restored crop back.
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

    /**
     * Aligns one face of an RGB image at A1111's settings: the 512×512 crop with facexlib's grey border, and the
     * inverse at upscale factor 1 (the only factor A1111 uses, and the only one {@code FacePaste} supports).
     */
    public static AlignedFace align(PixelPlanes rgb, double[][] landmarks) {
        AffineTransform affine = affineFor(landmarks, FACE_SIZE);
        PixelPlanes crop = AffineWarp.warp(rgb, affine, FACE_SIZE, FACE_SIZE, BORDER_RGB);
        return new AlignedFace(crop, affine, affine.inverse());
    }
}
