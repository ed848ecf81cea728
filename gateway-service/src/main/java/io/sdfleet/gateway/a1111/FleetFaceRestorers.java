package io.sdfleet.gateway.a1111;

import io.sdfleet.request.FaceRestoration;
import io.sdfleet.request.FaceRestoration.Restorer;

import java.util.List;

/**
 * The face restorers this fleet has, by the rules of {@link FaceRestoration}: a restorer is listed when its network
 * file is in the registry or the models folder, and can run when facexlib's detector and parser are there too.
 */
final class FleetFaceRestorers {

    private FleetFaceRestorers() {
    }

    /** The restorers whose network file the fleet has, in A1111's order (CodeFormer, then GFPGAN). */
    static List<String> listed(ModelCatalog models) {
        return FaceRestoration.MODELS.stream().filter(m -> hasNetwork(models, Restorer.of(m))).toList();
    }

    /** Why {@code model} cannot run in this fleet, naming the files it lacks; null when it can. */
    static String missing(ModelCatalog models, String model) {
        Restorer restorer = Restorer.of(model);
        StringBuilder lacks = new StringBuilder();
        if (!hasNetwork(models, restorer)) {
            lacks.append(restorer.folder()).append('/').append(restorer.downloadName());
        }
        List<ModelCatalog.Model> helpers = models.of(FaceRestoration.HELPER_FILES_HOME.kind());
        for (String file : List.of(FaceRestoration.DETECTION_FILE, FaceRestoration.PARSING_FILE)) {
            if (helpers.stream().noneMatch(m -> FaceRestoration.isHelperFile(m.name(), file))) {
                lacks.append(lacks.isEmpty() ? "" : ", ").append(FaceRestoration.HELPER_FILES_HOME.folder())
                        .append('/').append(file);
            }
        }
        return lacks.isEmpty() ? null : "face restoration with " + model + " needs " + lacks
                + ", which this fleet does not have (upload them with ./sd models upload --kind "
                + restorer.kind() + " / " + FaceRestoration.HELPER_FILES_HOME.kind() + "; see /sdapi/v1/face-restorers)";
    }

    private static boolean hasNetwork(ModelCatalog models, Restorer restorer) {
        return models.of(restorer.kind()).stream().anyMatch(m -> restorer.accepts(m.name()));
    }
}
