package io.sdfleet.worker.models;

import io.sdfleet.diffusion.upscale.UpscalerLibrary;
import io.sdfleet.request.UpscalerNames;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The upscalers one job sees: the models folder's {@code ESRGAN/} and {@code RealESRGAN/} (A1111's folders), and, when
 * the job (its hires fix, its img2img upscaler, or its extras' upscalers) names a model upscaler whose file is not there, that file pulled
 * (verified) from the fleet's registry (kind {@code esrgan} or {@code realesrgan}, found by file name without
 * extension). A file in neither fails the job before anything is loaded, with a message naming the file.
 */
public final class UpscalerFiles {

    private UpscalerFiles() {
    }

    /** The library with every upscaler {@code names} lists available (built-ins and latent modes need nothing). */
    public static UpscalerLibrary prepareAll(Path modelsDir, ModelPuller puller, List<String> names) {
        UpscalerLibrary library = UpscalerLibrary.under(modelsDir);
        for (String name : names) {
            library = withFile(library, puller, name);
        }
        return library;
    }

    private static UpscalerLibrary withFile(UpscalerLibrary local, ModelPuller puller, String name) {
        Optional<UpscalerNames.ModelFile> needed = UpscalerNames.modelFile(name);
        if (needed.isEmpty()) {
            return local;
        }
        try {
            local.file(name);
            return local;
        } catch (UpscalerLibrary.MissingUpscalerException missing) {
            UpscalerNames.ModelFile file = needed.get();
            return puller.find(file.family().kind(), file.fileStem())
                    .filter(entry -> file.family().accepts(entry.name()))
                    .map(puller::pull)
                    .map(pulled -> local.withFile(name.trim(), pulled))
                    .orElseThrow(() -> new UpscalerLibrary.MissingUpscalerException(missing.getMessage()
                            + ", nor in the fleet's model registry (kind " + file.family().kind() + ")"));
        }
    }
}
