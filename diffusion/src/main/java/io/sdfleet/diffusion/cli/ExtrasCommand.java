package io.sdfleet.diffusion.cli;

import ai.djl.ndarray.NDManager;
import io.sdfleet.diffusion.extras.Postprocessing;
import io.sdfleet.diffusion.image.PixelPlanes;
import io.sdfleet.diffusion.restore.restorer.FaceRestorerLibrary;
import io.sdfleet.diffusion.restore.restorer.FaceRestorerLibrary.RestorerFiles;
import io.sdfleet.diffusion.runtime.Torch;
import io.sdfleet.diffusion.upscale.UpscalerLibrary;
import io.sdfleet.request.Extras;
import io.sdfleet.request.FaceRestoration;
import io.sdfleet.request.UpscalerNames;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code ./sd extras --image IN --out OUT [--upscaler PATH|Lanczos|Nearest --upscaling-resize S]
 * [--gfpgan-model PATH --gfpgan-visibility V] [--codeformer-model PATH --codeformer-visibility V
 * --codeformer-weight W] [--face-models DIR] [--seed N]}: one image through A1111's Extras as
 * {@code /sdapi/v1/extra-single-image} runs it (upscale, then GFPGAN, then CodeFormer, with A1111's blends), written
 * as a PNG whose {@code postprocessing} text is A1111's extras infotext. {@code --face-models} holds facexlib's
 * detection and parsing files; {@code --seed} seeds GFPGAN's noise.
 */
final class ExtrasCommand {

    private ExtrasCommand() {
    }

    static void run(List<String> args, PrintStream out) {
        Arguments a = Arguments.parse(args, Set.of());
        Path image = a.existingPath("image");
        if (image == null) {
            throw new UsageException("missing required option --image");
        }
        Path target = Path.of(a.required("out"));
        String upscalerArg = a.string("upscaler", null);
        String scaleArg = a.string("upscaling-resize", null);
        double scale = a.decimal("upscaling-resize", 2);
        Path gfpgan = a.existingPath("gfpgan-model");
        double gfpganVisibility = a.decimal("gfpgan-visibility", gfpgan == null ? 0 : 1);
        Path codeformer = a.existingPath("codeformer-model");
        double codeformerVisibility = a.decimal("codeformer-visibility", codeformer == null ? 0 : 1);
        double codeformerWeight = a.decimal("codeformer-weight", 0);
        Path faceModels = a.existingPath("face-models");
        long seed = a.longValue("seed", 0);
        String device = a.string("device", "cpu");
        a.rejectUnknown();
        if (!(scale >= 1 && scale <= 8)) {
            throw new UsageException("--upscaling-resize must be between 1 and 8, got " + scale);
        }
        UpscalerLibrary library = UpscalerLibrary.none();
        String upscaler = Extras.NO_UPSCALER;
        if (upscalerArg != null) {
            Optional<String> builtIn = UpscalerNames.builtIn(upscalerArg);
            if (builtIn.isPresent() && !Files.exists(Path.of(upscalerArg))) {
                upscaler = builtIn.get();
            } else {
                Path file = a.existingPath("upscaler");
                upscaler = UpscalerNames.stem(file.getFileName().toString());
                library = library.withFile(upscaler, file);
            }
        }
        if ((gfpganVisibility > 0 || codeformerVisibility > 0) && faceModels == null) {
            throw new UsageException("face restoration needs --face-models DIR (with "
                    + FaceRestoration.DETECTION_FILE + " and " + FaceRestoration.PARSING_FILE + ")");
        }
        Extras extras;
        try {
            extras = new Extras(List.of("-"), List.of(), 0, scale, scaleArg != null, 512, 512, true, upscaler,
                    Extras.NO_UPSCALER, 0, gfpganVisibility, codeformerVisibility, codeformerWeight);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        FaceRestorerLibrary restorers = FaceRestorerLibrary.none();
        if (faceModels != null) {
            Path detector = faceModels.resolve(FaceRestoration.DETECTION_FILE);
            Path parser = faceModels.resolve(FaceRestoration.PARSING_FILE);
            if (gfpganVisibility > 0 || codeformerVisibility > 0) {
                for (Path helper : List.of(detector, parser)) {
                    if (!Files.isRegularFile(helper)) {
                        throw new UsageException("--face-models " + faceModels + " has no " + helper.getFileName());
                    }
                }
            }
            if (gfpgan != null) {
                restorers = restorers.withFiles(FaceRestoration.GFPGAN, new RestorerFiles(gfpgan, detector, parser));
            }
            if (codeformer != null) {
                restorers = restorers.withFiles(FaceRestoration.CODEFORMER,
                        new RestorerFiles(codeformer, detector, parser));
            }
        }
        PixelPlanes input = ImageFiles.read(image);
        Postprocessing.Result result;
        try (NDManager manager = Torch.newManager(Torch.device(device))) {
            result = new Postprocessing(library, restorers, manager).run(input, extras, seed);
        }
        ImageFiles.write(target, result.image(), Map.of("postprocessing", result.infotext()));
        out.println(result.infotext());
    }
}
