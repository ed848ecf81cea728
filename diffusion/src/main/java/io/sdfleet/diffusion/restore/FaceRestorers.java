package io.sdfleet.diffusion.restore;

import ai.djl.ndarray.NDManager;

import java.nio.file.Path;

/**
 * Where face restorers come from: the worker's extras jobs, {@code ./sd extras} and (later) {@code restore_faces} in
 * generation all open theirs through {@link #of}, so the restorers, once built, are wired in that one method.
 */
@FunctionalInterface
public interface FaceRestorers {

    /** A face restorer the job named whose model (or the engine's implementation of it) is not available. */
    final class UnavailableException extends IllegalArgumentException {
        public UnavailableException(String message) {
            super(message);
        }
    }

    /**
     * The restorer A1111 calls {@code name} ("GFPGAN" or "CodeFormer"), its networks read into {@code manager}.
     *
     * @throws UnavailableException when its files are missing or the engine cannot run it yet
     */
    FaceRestorer open(String name, NDManager manager);

    /**
     * The restorers built from {@code files}. The engine has no GFPGAN / CodeFormer pipeline yet (issue 15), so for
     * now each names what is missing; the implementation goes here.
     */
    static FaceRestorers of(FaceModelFiles files) {
        return (name, manager) -> {
            String file = files.network(name).map(Path::toString).orElse("no " + name + " model file");
            throw new UnavailableException("face restoration model " + name + " (" + file + ") is not available:"
                    + " this engine cannot run face restoration yet");
            // to wire: check files.network(name), files.detection() and files.parsing() are present (else this
            // exception naming the missing file), then return the restorer built on them in manager
        };
    }
}
