package io.sdfleet.diffusion.restore.restorer;

import ai.djl.ndarray.NDManager;
import io.sdfleet.diffusion.image.PixelPlanes;
import io.sdfleet.diffusion.restore.FaceRestorationNetwork;
import io.sdfleet.diffusion.restore.FaceRestoreHelper;
import io.sdfleet.diffusion.restore.codeformer.CodeFormer;
import io.sdfleet.diffusion.restore.detect.FaceDetection;
import io.sdfleet.diffusion.restore.detect.FaceDetector;
import io.sdfleet.diffusion.restore.detect.RetinaFace;
import io.sdfleet.diffusion.restore.gfpgan.Gfpgan;
import io.sdfleet.diffusion.restore.parse.FaceParser;
import io.sdfleet.diffusion.restore.parse.ParseNet;
import io.sdfleet.request.FaceRestoration;

import java.util.ArrayList;
import java.util.List;

/**
 * A1111's {@code restore_with_face_helper} around one network: facexlib's RetinaFace finds each face's five landmarks
 * (at 640, threshold 0.97, eye distance 5), {@link FaceRestoreHelper} aligns, restores, parses and pastes them back.
 * The detector works on BGR as facexlib does (A1111 hands it {@code np_image[:, :, ::-1]}); the rest on RGB. Several
 * faces in one image are restored in detection order; GFPGAN draws the same seeded noise for each.
 */
public final class FacexlibRestorer implements FaceRestorer {

    private final String name;
    private final FaceDetector detector;
    private final FaceRestoreHelper helper;
    private final FaceRestorationNetwork network;
    private final NDManager weights;

    /** @param weights the manager holding the three networks' weights, closed with this restorer */
    public FacexlibRestorer(String name, RetinaFace detector, ParseNet parser, FaceRestorationNetwork network,
                            NDManager weights) {
        this.name = name;
        this.detector = new FaceDetector(detector);
        this.helper = new FaceRestoreHelper(new FaceParser(parser));
        this.network = network;
        this.weights = weights;
    }

    static FaceRestorer open(String model, FaceRestorerLibrary.RestorerFiles files, NDManager manager) {
        NDManager weights = manager.newSubManager();
        try {
            FaceRestorationNetwork network = switch (model) {
                case FaceRestoration.CODEFORMER -> CodeFormer.open(files.network(), weights);
                case FaceRestoration.GFPGAN -> Gfpgan.open(files.network(), weights);
                default -> throw new IllegalArgumentException("no face restorer " + model);
            };
            return new FacexlibRestorer(model, RetinaFace.open(files.detector(), weights),
                    ParseNet.open(files.parser(), weights), network, weights);
        } catch (RuntimeException e) {
            weights.close();
            throw e;
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public PixelPlanes restore(PixelPlanes image, FaceRestorationNetwork.RestoreOptions options) {
        try (NDManager arrays = weights.newSubManager()) {
            List<FaceDetection> faces = detector.faceLandmarks5(bgr(image), arrays);
            List<double[][]> landmarks = new ArrayList<>();
            for (FaceDetection face : faces) {
                float[] flat = face.landmarks();
                double[][] points = new double[5][2];
                for (int i = 0; i < 5; i++) {
                    points[i][0] = flat[2 * i];
                    points[i][1] = flat[2 * i + 1];
                }
                landmarks.add(points);
            }
            return helper.restore(image, landmarks, network, options, arrays);
        }
    }

    /** The same planes in OpenCV's order. */
    private static PixelPlanes bgr(PixelPlanes rgb) {
        int[][][] c = rgb.channels();
        return new PixelPlanes(new int[][][] {c[2], c[1], c[0]});
    }

    @Override
    public void close() {
        weights.close();
    }
}
