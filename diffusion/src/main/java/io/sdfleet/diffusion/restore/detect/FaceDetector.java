package io.sdfleet.diffusion.restore.detect;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.sdfleet.diffusion.image.OpenCvLanczos4;
import io.sdfleet.diffusion.image.PixelPlanes;

import java.util.ArrayList;
import java.util.List;

/**
 * Face detection as A1111 v1.10's restore faces runs it: facexlib's {@code FaceRestoreHelper.get_face_landmarks_5(
 * only_center_face=False, resize=640, eye_dist_threshold=5)} around RetinaFace's {@code detect_faces(img, 0.97)}.
 * Images are 8-bit BGR planes (A1111 hands facexlib {@code np_image[:, :, ::-1]}).
 */
public final class FaceDetector {

    /** The shorter side A1111 has facexlib resize to before detecting. */
    public static final int A1111_RESIZE = 640;
    /** Faces whose eyes are closer than this (pixels of the original image) are dropped: profiles, tiny faces. */
    public static final float A1111_EYE_DIST_THRESHOLD = 5f;

    private final RetinaFace network;

    public FaceDetector(RetinaFace network) {
        this.network = network;
    }

    /**
     * {@code detect_faces(image, threshold)} (use_origin_size=True): the network on the image as it is, boxes and
     * landmarks in its pixels. Arrays live in a sub-manager of {@code manager} (whose device runs the network).
     */
    public List<FaceDetection> detectFaces(PixelPlanes bgr, float threshold, NDManager manager) {
        if (bgr.channels().length != 3) {
            throw new IllegalArgumentException("RetinaFace reads 3-channel BGR images, not " + bgr.channels().length
                    + " channels");
        }
        int h = bgr.height();
        int w = bgr.width();
        try (NDManager call = manager.newSubManager()) {
            NDArray input = RetinaFace.input(bgr.channels(), call);
            try (RetinaFace.Output out = network.forward(input)) {
                return DetectionDecoder.detect(out.loc().toFloatArray(), out.conf().toFloatArray(),
                        out.landmarks().toFloatArray(), PriorBox.priors(h, w), w, h, threshold);
            }
        }
    }

    /**
     * {@code get_face_landmarks_5} with A1111's arguments: the image resized (OpenCV Lanczos4) so that its shorter
     * side is about 640, detected at 0.97, every number of each row scaled back to the original (the score too, as
     * facexlib does), and faces with eyes closer than 5 px dropped. The order is facexlib's (by score).
     */
    public List<FaceDetection> faceLandmarks5(PixelPlanes bgr, NDManager manager) {
        int h = bgr.height();
        int w = bgr.width();
        double scale = detectorScale(h, w, A1111_RESIZE);
        int[] size = detectorSize(h, w, A1111_RESIZE);
        PixelPlanes resized = OpenCvLanczos4.resize(bgr, size[1], size[0]);
        return scaledBack(detectFaces(resized, DetectionDecoder.FACE_HELPER_THRESHOLD, manager), scale);
    }

    /**
     * The detector's rows in the original image's pixels ({@code dets * scale} in fp32, the score included), those
     * with eyes closer than {@link #A1111_EYE_DIST_THRESHOLD} dropped.
     */
    static List<FaceDetection> scaledBack(List<FaceDetection> found, double scale) {
        List<FaceDetection> faces = new ArrayList<>();
        for (FaceDetection detection : found) {
            FaceDetection face = detection.times((float) scale);
            if (eyeDistance(face) >= A1111_EYE_DIST_THRESHOLD) {
                faces.add(face);
            }
        }
        return faces;
    }

    /** facexlib's {@code scale = min(h, w) / resize}: detector pixels × scale = original pixels. */
    public static double detectorScale(int height, int width, int resize) {
        return (double) Math.min(height, width) / resize;
    }

    /** The detector input's (height, width): {@code int(h / scale), int(w / scale)}. */
    public static int[] detectorSize(int height, int width, int resize) {
        double scale = detectorScale(height, width, resize);
        return new int[]{(int) (height / scale), (int) (width / scale)};
    }

    /** |left eye − right eye| in fp32, as numpy's norm of the two float32 differences. */
    static float eyeDistance(FaceDetection face) {
        float[] l = face.landmarks();
        float dx = l[0] - l[2];
        float dy = l[1] - l[3];
        return (float) Math.sqrt(dx * dx + dy * dy);
    }
}
