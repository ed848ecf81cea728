package io.sdfleet.worker.models;

import io.sdfleet.diffusion.upscale.UpscalerLibrary;
import io.sdfleet.request.HiresFix;
import io.sdfleet.request.UpscalerNames;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The upscalers one job sees: the models folder's {@code ESRGAN/} and {@code RealESRGAN/} (A1111's folders), and, when
 * the job's hires fix names a model upscaler whose file is not there, that file pulled (verified) from the fleet's
 * registry (kind {@code esrgan} or {@code realesrgan}, found by file name without extension). A file in neither fails
 * the job before anything is loaded, with a message naming the file.
 */
public final class UpscalerFiles {

    private UpscalerFiles() {
    }

    public static UpscalerLibrary prepare(Path modelsDir, ModelPuller puller, HiresFix hires) {
        UpscalerLibrary local = UpscalerLibrary.under(modelsDir);
        Optional<UpscalerNames.ModelFile> needed = hires == null ? Optional.empty() : hires.upscalerFile();
        if (needed.isEmpty()) {
            return local;
        }
        String name = hires.upscaler();
        try {
            local.file(name);
            return local;
        } catch (UpscalerLibrary.MissingUpscalerException missing) {
            UpscalerNames.ModelFile file = needed.get();
            return puller.find(file.family().kind(), file.fileStem())
                    .filter(entry -> file.family().accepts(entry.name()))
                    .map(puller::pull)
                    .map(pulled -> local.withFile(name, pulled))
                    .orElseThrow(() -> new UpscalerLibrary.MissingUpscalerException(missing.getMessage()
                            + ", nor in the fleet's model registry (kind " + file.family().kind() + ")"));
        }
    }
}
