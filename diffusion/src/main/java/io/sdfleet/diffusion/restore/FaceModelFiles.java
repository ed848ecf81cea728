package io.sdfleet.diffusion.restore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The files face restoration reads, as A1111 finds them: the GFPGAN network ({@code models/GFPGAN/GFPGANv1.4.pth}),
 * the CodeFormer network ({@code models/Codeformer/codeformer-v0.1.0.pth}), and facexlib's RetinaFace detector and
 * ParseNet ({@code detection_Resnet50_Final.pth}, {@code parsing_parsenet.pth}; A1111 redirects facexlib to its GFPGAN
 * folder). Empty: not available here.
 */
public record FaceModelFiles(Optional<Path> gfpgan, Optional<Path> codeformer, Optional<Path> detection,
                             Optional<Path> parsing) {

    public static final String GFPGAN = "GFPGAN";
    public static final String CODEFORMER = "CodeFormer";
    public static final String DETECTION_FILE = "detection_Resnet50_Final.pth";
    public static final String PARSING_FILE = "parsing_parsenet.pth";

    public FaceModelFiles {
        gfpgan = gfpgan == null ? Optional.empty() : gfpgan;
        codeformer = codeformer == null ? Optional.empty() : codeformer;
        detection = detection == null ? Optional.empty() : detection;
        parsing = parsing == null ? Optional.empty() : parsing;
    }

    public static FaceModelFiles none() {
        return new FaceModelFiles(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** The networks given, facexlib's two files from {@code faceModelsDir} (as {@code ./sd}'s --face-models). */
    public static FaceModelFiles of(Path gfpgan, Path codeformer, Path faceModelsDir) {
        return new FaceModelFiles(Optional.ofNullable(gfpgan), Optional.ofNullable(codeformer),
                inDir(faceModelsDir, DETECTION_FILE), inDir(faceModelsDir, PARSING_FILE));
    }

    private static Optional<Path> inDir(Path dir, String name) {
        return dir == null ? Optional.empty() : Optional.of(dir.resolve(name)).filter(Files::isRegularFile);
    }

    /** The network file of the restorer A1111 calls {@code name} ("GFPGAN" or "CodeFormer"). */
    public Optional<Path> network(String name) {
        return switch (name) {
            case GFPGAN -> gfpgan;
            case CODEFORMER -> codeformer;
            default -> throw new IllegalArgumentException("no face restorer '" + name + "'; A1111 has "
                    + GFPGAN + " and " + CODEFORMER);
        };
    }
}
