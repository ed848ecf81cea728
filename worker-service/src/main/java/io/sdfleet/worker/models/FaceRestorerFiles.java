package io.sdfleet.worker.models;

import io.sdfleet.diffusion.restore.restorer.FaceRestorerLibrary;
import io.sdfleet.diffusion.restore.restorer.FaceRestorerLibrary.MissingFaceRestorerException;
import io.sdfleet.diffusion.restore.restorer.FaceRestorerLibrary.RestorerFiles;
import io.sdfleet.request.FaceRestoration;
import io.sdfleet.request.FaceRestoration.Restorer;
import io.sdfleet.storageclient.RegisteredModel;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The face restorers one job sees: the models folder's {@code Codeformer/} and {@code GFPGAN/} (A1111's folders), and,
 * when the job restores faces with a restorer whose files are not all there, those files pulled (verified) from the
 * fleet's registry (the network by the restorer's kind, facexlib's detector and parser by name under kind
 * {@code gfpgan}). A file in neither fails the job before anything is loaded, with a message naming it.
 */
public final class FaceRestorerFiles {

    private FaceRestorerFiles() {
    }

    public static FaceRestorerLibrary prepare(Path modelsDir, ModelPuller puller, FaceRestoration restoration) {
        FaceRestorerLibrary local = FaceRestorerLibrary.under(modelsDir);
        if (restoration == null) {
            return local;
        }
        try {
            local.files(restoration.model());
            return local;
        } catch (MissingFaceRestorerException missing) {
            Restorer restorer = restoration.restorer();
            String helperKind = FaceRestoration.HELPER_FILES_HOME.kind();
            Optional<Path> network = pulled(puller, restorer.kind(), e -> restorer.accepts(e.name()));
            Optional<Path> detector = pulled(puller, helperKind, e -> FaceRestoration.isHelperFile(e.name(), FaceRestoration.DETECTION_FILE));
            Optional<Path> parser = pulled(puller, helperKind, e -> FaceRestoration.isHelperFile(e.name(), FaceRestoration.PARSING_FILE));
            if (network.isEmpty() || detector.isEmpty() || parser.isEmpty()) {
                throw new MissingFaceRestorerException(missing.getMessage()
                        + ", nor in the fleet's model registry (kinds " + restorer.kind() + ", " + helperKind + ")");
            }
            return local.withFiles(restoration.model(), new RestorerFiles(network.get(), detector.get(), parser.get()));
        }
    }

    /** The first registry entry of {@code kind} (by name) that {@code wanted} accepts, pulled. */
    private static Optional<Path> pulled(ModelPuller puller, String kind, Predicate<RegisteredModel> wanted) {
        return puller.list(kind).stream().filter(wanted).min(Comparator.comparing(RegisteredModel::name))
                .map(puller::pull);
    }
}
