package io.sdfleet.worker.models;

import io.sdfleet.diffusion.restore.restorer.FaceRestorerLibrary;
import io.sdfleet.diffusion.restore.restorer.FaceRestorerLibrary.MissingFaceRestorerException;
import io.sdfleet.diffusion.restore.restorer.FaceRestorerLibrary.RestorerFiles;
import io.sdfleet.request.Extras;
import io.sdfleet.request.FaceRestoration;
import io.sdfleet.request.FaceRestoration.Restorer;
import io.sdfleet.storageclient.RegisteredModel;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The face restorers one job sees: the models folder's {@code Codeformer/} and {@code GFPGAN/} (A1111's folders), and,
 * when the job restores faces (a generation's restore faces, an extras job's GFPGAN or CodeFormer step) with a
 * restorer whose files are not all there, those files pulled (verified) from the fleet's registry (the network by the restorer's kind, facexlib's detector and parser by name under kind
 * {@code gfpgan}). A file in neither fails the job before anything is loaded, with a message naming it.
 */
public final class FaceRestorerFiles {

    private FaceRestorerFiles() {
    }

    public static FaceRestorerLibrary prepare(Path modelsDir, ModelPuller puller, FaceRestoration restoration) {
        return prepare(modelsDir, puller, restoration == null ? List.of() : List.of(restoration.model()));
    }

    /** For an extras job: the restorers its GFPGAN and CodeFormer steps use. */
    public static FaceRestorerLibrary prepare(Path modelsDir, ModelPuller puller, Extras extras) {
        List<String> models = new ArrayList<>();
        if (extras.restoresWithGfpgan()) {
            models.add(FaceRestoration.GFPGAN);
        }
        if (extras.restoresWithCodeFormer()) {
            models.add(FaceRestoration.CODEFORMER);
        }
        return prepare(modelsDir, puller, models);
    }

    private static FaceRestorerLibrary prepare(Path modelsDir, ModelPuller puller, List<String> models) {
        FaceRestorerLibrary library = FaceRestorerLibrary.under(modelsDir);
        for (String model : models) {
            library = withFilesOf(library, model, puller);
        }
        return library;
    }

    private static FaceRestorerLibrary withFilesOf(FaceRestorerLibrary local, String model, ModelPuller puller) {
        try {
            local.files(model);
            return local;
        } catch (MissingFaceRestorerException missing) {
            Restorer restorer = Restorer.of(model);
            String helperKind = FaceRestoration.HELPER_FILES_HOME.kind();
            // each file from the folders when it is there, else from the registry
            Optional<Path> network = local.network(model)
                    .or(() -> pulled(puller, restorer.kind(), e -> restorer.accepts(e.name())));
            Optional<Path> detector = local.helper(FaceRestoration.DETECTION_FILE).or(() -> pulled(puller, helperKind,
                    e -> FaceRestoration.isHelperFile(e.name(), FaceRestoration.DETECTION_FILE)));
            Optional<Path> parser = local.helper(FaceRestoration.PARSING_FILE).or(() -> pulled(puller, helperKind,
                    e -> FaceRestoration.isHelperFile(e.name(), FaceRestoration.PARSING_FILE)));
            if (network.isEmpty() || detector.isEmpty() || parser.isEmpty()) {
                throw new MissingFaceRestorerException(missing.getMessage()
                        + ", nor in the fleet's model registry (kinds " + restorer.kind() + ", " + helperKind + ")");
            }
            return local.withFiles(model, new RestorerFiles(network.get(), detector.get(), parser.get()));
        }
    }

    /** The first registry entry of {@code kind} (by name) that {@code wanted} accepts, pulled. */
    private static Optional<Path> pulled(ModelPuller puller, String kind, Predicate<RegisteredModel> wanted) {
        return puller.list(kind).stream().filter(wanted).min(Comparator.comparing(RegisteredModel::name))
                .map(puller::pull);
    }
}
