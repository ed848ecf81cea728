package io.sdfleet.diffusion.restore.detect;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * facexlib's {@code RetinaFace.detect_faces} after the network (use_origin_size, so no resize): boxes and landmarks
 * decoded from the priors with variances [0.1, 0.2], scores strictly above the threshold kept, sorted by score
 * (numpy's {@code argsort()[::-1]}), then torchvision's NMS at IoU 0.4. Arithmetic is fp32 in torch's order.
 */
public final class DetectionDecoder {

    /** What FaceRestoreHelper passes ({@code detect_faces(img, 0.97)}). */
    public static final float FACE_HELPER_THRESHOLD = 0.97f;
    public static final double NMS_THRESHOLD = 0.4;
    private static final float CENTER_VARIANCE = 0.1f;
    private static final float SIZE_VARIANCE = 0.2f;

    private DetectionDecoder() {
    }

    /**
     * @param loc       [N·4] box offsets
     * @param conf      [N·2] softmax scores (class 1 is "face")
     * @param landmarks [N·10] landmark offsets
     * @param priors    [N·4] from {@link PriorBox#priors}
     */
    public static List<FaceDetection> detect(float[] loc, float[] conf, float[] landmarks, float[] priors, int width,
                                             int height, float threshold) {
        int n = priors.length / 4;
        if (loc.length != 4 * n || conf.length != 2 * n || landmarks.length != 10 * n) {
            throw new IllegalArgumentException("outputs for " + loc.length / 4 + " anchors, priors for " + n);
        }
        List<FaceDetection> kept = new ArrayList<>();
        for (int a = 0; a < n; a++) {
            float score = conf[2 * a + 1];
            if (score > threshold) {
                kept.add(decode(a, loc, landmarks, priors, score, width, height));
            }
        }
        // numpy sorts the few survivors stably ascending (insertion sort), and [::-1] reverses that order
        List<FaceDetection> sorted = new ArrayList<>(kept);
        sorted.sort(Comparator.comparingDouble(FaceDetection::score));
        Collections.reverse(sorted);
        return nms(sorted, NMS_THRESHOLD);
    }

    private static FaceDetection decode(int a, float[] loc, float[] landmarks, float[] priors, float score, int width,
                                        int height) {
        float pcx = priors[4 * a];
        float pcy = priors[4 * a + 1];
        float pw = priors[4 * a + 2];
        float ph = priors[4 * a + 3];
        float cx = pcx + loc[4 * a] * CENTER_VARIANCE * pw;
        float cy = pcy + loc[4 * a + 1] * CENTER_VARIANCE * ph;
        float w = pw * (float) Math.exp(loc[4 * a + 2] * SIZE_VARIANCE);
        float h = ph * (float) Math.exp(loc[4 * a + 3] * SIZE_VARIANCE);
        float x1 = cx - w / 2;
        float y1 = cy - h / 2;
        float x2 = w + x1;
        float y2 = h + y1;
        float[] l = new float[10];
        for (int k = 0; k < 5; k++) {
            l[2 * k] = (pcx + landmarks[10 * a + 2 * k] * CENTER_VARIANCE * pw) * width;
            l[2 * k + 1] = (pcy + landmarks[10 * a + 2 * k + 1] * CENTER_VARIANCE * ph) * height;
        }
        return new FaceDetection(x1 * width, y1 * height, x2 * width, y2 * height, score, l);
    }

    /**
     * torchvision's {@code nms}: in score order, a box suppresses every later one whose IoU with it exceeds the
     * threshold; areas are (x2 − x1)·(y2 − y1) (no +1), in fp32, the IoU compared in double.
     */
    static List<FaceDetection> nms(List<FaceDetection> byScore, double threshold) {
        boolean[] suppressed = new boolean[byScore.size()];
        List<FaceDetection> keep = new ArrayList<>();
        for (int i = 0; i < byScore.size(); i++) {
            if (suppressed[i]) {
                continue;
            }
            FaceDetection a = byScore.get(i);
            keep.add(a);
            float areaA = (a.x2() - a.x1()) * (a.y2() - a.y1());
            for (int j = i + 1; j < byScore.size(); j++) {
                if (suppressed[j]) {
                    continue;
                }
                FaceDetection b = byScore.get(j);
                float w = Math.max(0f, Math.min(a.x2(), b.x2()) - Math.max(a.x1(), b.x1()));
                float h = Math.max(0f, Math.min(a.y2(), b.y2()) - Math.max(a.y1(), b.y1()));
                float inter = w * h;
                float areaB = (b.x2() - b.x1()) * (b.y2() - b.y1());
                float iou = inter / (areaA + areaB - inter);
                if (iou > threshold) {
                    suppressed[j] = true;
                }
            }
        }
        return keep;
    }
}
