package io.sdfleet.worker.generation;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.sdfleet.contracts.JobMessage;
import io.sdfleet.diffusion.extras.Postprocessing;
import io.sdfleet.diffusion.image.PixelPlanes;
import io.sdfleet.diffusion.image.PngFiles;
import io.sdfleet.diffusion.restore.restorer.FaceRestorerLibrary;
import io.sdfleet.diffusion.upscale.UpscalerLibrary;
import io.sdfleet.request.Extras;
import io.sdfleet.worker.models.FaceRestorerFiles;
import io.sdfleet.worker.models.ModelPuller;
import io.sdfleet.worker.models.UpscalerFiles;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An extras job (A1111's Extras tab) on this worker: each of the job's images decoded, postprocessed by the engine
 * ({@link Postprocessing}: upscale, GFPGAN, CodeFormer) and encoded as PNG with the input's text chunks and A1111's
 * {@code postprocessing} infotext, as {@code run_extras} saves it. Model files are found or pulled before anything
 * runs; a missing one fails the job naming it.
 */
final class EngineExtras {

    private EngineExtras() {
    }

    static ImageGenerator.Batch run(JobMessage job, Path modelsDir, ModelPuller puller, Device device,
                                    ImageGenerator.Progress progress) {
        Extras extras = job.parameters().extras();
        puller.beginJob();
        UpscalerLibrary upscalers = UpscalerFiles.prepareAll(modelsDir, puller, extras.upscalersUsed());
        FaceRestorerLibrary restorers = FaceRestorerFiles.prepare(modelsDir, puller, extras);
        long start = System.nanoTime();
        List<ImageGenerator.Image> images = new ArrayList<>();
        int[] done = {0};
        int total = extras.images().size();
        try (NDManager manager = NDManager.newBaseManager(device)) {
            // each tile or restore says the job is alive (and lets a cancel or skip stop it) at the image's step
            Postprocessing postprocessing = new Postprocessing(upscalers, restorers, manager,
                    () -> progress.step(done[0], total, (System.nanoTime() - start) / 1e9));
            for (int k = 0; k < extras.images().size(); k++) {
                byte[] input = Base64.getMimeDecoder().decode(extras.images().get(k));
                long seed = job.seeds().get(k);
                Postprocessing.Result result = postprocessing.run(decode(input), extras, seed);
                String infotext = result.infotext();
                Map<String, String> text = new LinkedHashMap<>(PngFiles.readText(input));
                text.put("postprocessing", infotext);
                images.add(new ImageGenerator.Image(job.firstImageIndex() + k, seed,
                        PngFiles.encode(result.image().toImage(), text), infotext));
                done[0] = k + 1;
                progress.step(done[0], total, (System.nanoTime() - start) / 1e9);
            }
        }
        return new ImageGenerator.Batch(images, "", (System.nanoTime() - start) / 1e9, 0);
    }

    private static PixelPlanes decode(byte[] png) {
        try {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
            if (image == null) {
                throw new IllegalArgumentException("an extras image is not a PNG");
            }
            return PixelPlanes.rgb(image);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
