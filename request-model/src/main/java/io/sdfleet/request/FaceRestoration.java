package io.sdfleet.request;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A1111's "Restore faces" on each generated image: the restorer by the name A1111 lists it under
 * ({@code opts.face_restoration_model}: "CodeFormer" or "GFPGAN") and CodeFormer's fidelity weight
 * ({@code opts.code_former_weight}, 0 = strongest, 1 = weakest; GFPGAN ignores it). The rules for the files behind
 * a name live here, one set for the gateway (listing, checking), the worker (finding or pulling) and the engine:
 * <ul>
 *   <li>CodeFormer: any {@code .pth} in {@code models/Codeformer} (A1111 takes the first; its download name is
 *       {@code codeformer-v0.1.0.pth}), registry kind {@code codeformer};</li>
 *   <li>GFPGAN: the first {@code .pth} in {@code models/GFPGAN} whose name contains "GFPGAN" ({@code GFPGANv1.4.pth}),
 *       registry kind {@code gfpgan};</li>
 *   <li>both need facexlib's detector and parser, {@code detection_Resnet50_Final.pth} and {@code parsing_parsenet.pth},
 *       which A1111 keeps in {@code models/GFPGAN} whichever restorer runs (registry kind {@code gfpgan}).</li>
 * </ul>
 * Converted {@code .safetensors} copies (same name otherwise) are taken too, as for the ESRGAN family.
 */
public record FaceRestoration(String model, double codeFormerWeight) {

    public static final String CODEFORMER = "CodeFormer";
    public static final String GFPGAN = "GFPGAN";

    /** A1111's listing order: CodeFormer is set up before GFPGAN. */
    public static final List<String> MODELS = List.of(CODEFORMER, GFPGAN);

    /** A1111's {@code face_restoration_model} and {@code code_former_weight} defaults. */
    public static final String DEFAULT_MODEL = CODEFORMER;
    public static final double DEFAULT_CODEFORMER_WEIGHT = 0.5;

    /** facexlib's RetinaFace-R50 detector and ParseNet, looked up beside GFPGAN. */
    public static final String DETECTION_FILE = "detection_Resnet50_Final.pth";
    public static final String PARSING_FILE = "parsing_parsenet.pth";

    /** A restorer's A1111 folder under models/, its registry kind, and the file A1111 downloads for it. */
    public enum Restorer {
        CODEFORMER_FILES(CODEFORMER, "Codeformer", "codeformer", "codeformer-v0.1.0.pth"),
        GFPGAN_FILES(GFPGAN, "GFPGAN", "gfpgan", "GFPGANv1.4.pth");

        private final String model;
        private final String folder;
        private final String kind;
        private final String downloadName;

        Restorer(String model, String folder, String kind, String downloadName) {
            this.model = model;
            this.folder = folder;
            this.kind = kind;
            this.downloadName = downloadName;
        }

        public String model() {
            return model;
        }

        public String folder() {
            return folder;
        }

        public String kind() {
            return kind;
        }

        public String downloadName() {
            return downloadName;
        }

        /** Whether A1111 would load {@code fileName} from this restorer's folder as its network. */
        public boolean accepts(String fileName) {
            String lower = fileName.toLowerCase(Locale.ROOT);
            if (!(lower.endsWith(".pth") || lower.endsWith(".safetensors"))
                    || isHelperFile(fileName, DETECTION_FILE) || isHelperFile(fileName, PARSING_FILE)) {
                return false;
            }
            return this == CODEFORMER_FILES || fileName.contains("GFPGAN");
        }

        public static Restorer of(String model) {
            for (Restorer r : values()) {
                if (r.model.equals(model)) {
                    return r;
                }
            }
            throw new IllegalArgumentException("no face restorer " + model + "; one of " + MODELS);
        }
    }

    /** The folder and registry kind of facexlib's detector and parser (A1111's GFPGAN folder). */
    public static final Restorer HELPER_FILES_HOME = Restorer.GFPGAN_FILES;

    /** Whether {@code fileName} is facexlib's {@code helperFile} or its .safetensors copy. */
    public static boolean isHelperFile(String fileName, String helperFile) {
        return fileName.equals(helperFile)
                || fileName.equals(helperFile.substring(0, helperFile.length() - ".pth".length()) + ".safetensors");
    }

    /** A1111's spelling of a restorer named in any case; empty when it is not one. */
    public static Optional<String> canonical(String name) {
        return name == null ? Optional.empty()
                : MODELS.stream().filter(m -> m.equalsIgnoreCase(name.trim())).findFirst();
    }

    public Restorer restorer() {
        return Restorer.of(model);
    }

    /** Problems, each naming its A1111 setting; empty when it can run. */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (!MODELS.contains(model)) {
            problems.add("face_restoration_model must be one of " + MODELS + ", got '" + model + "'");
        }
        if (!(codeFormerWeight >= 0 && codeFormerWeight <= 1)) {
            problems.add("code_former_weight must be between 0 and 1, got " + codeFormerWeight);
        }
        return problems;
    }
}
