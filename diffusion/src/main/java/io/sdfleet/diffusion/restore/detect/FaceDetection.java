package io.sdfleet.diffusion.restore.detect;

/**
 * One row of facexlib's {@code detect_faces} result, in fp32 as facexlib keeps it: the box corners, the score and
 * five landmarks (left eye, right eye, nose, left and right mouth corner) as {@code x0, y0, … x4, y4}, all in the
 * pixels of the image that was searched.
 */
public record FaceDetection(float x1, float y1, float x2, float y2, float score, float[] landmarks) {

    public FaceDetection {
        if (landmarks.length != 10) {
            throw new IllegalArgumentException("a face has 5 landmarks (10 numbers), not " + landmarks.length);
        }
        landmarks = landmarks.clone();
    }

    @Override
    public float[] landmarks() {
        return landmarks.clone();
    }

    /** The 15 numbers of a facexlib row: x1, y1, x2, y2, score, then the landmarks. */
    public float[] row() {
        float[] row = new float[15];
        row[0] = x1;
        row[1] = y1;
        row[2] = x2;
        row[3] = y2;
        row[4] = score;
        System.arraycopy(landmarks, 0, row, 5, 10);
        return row;
    }

    /** Every number multiplied by {@code factor} in fp32, the score included (numpy's {@code dets * scale}). */
    public FaceDetection times(float factor) {
        float[] l = new float[10];
        for (int i = 0; i < 10; i++) {
            l[i] = landmarks[i] * factor;
        }
        return new FaceDetection(x1 * factor, y1 * factor, x2 * factor, y2 * factor, score * factor, l);
    }
}
