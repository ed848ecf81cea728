package io.sdfleet.diffusion.cli;

import ai.djl.ndarray.NDManager;
import io.sdfleet.diffusion.image.PixelPlanes;
import io.sdfleet.diffusion.restore.FaceRestorationNetwork.RestoreOptions;
import io.sdfleet.diffusion.restore.restorer.FaceRestorer;
import io.sdfleet.diffusion.restore.restorer.FaceRestorerLibrary;
import io.sdfleet.diffusion.runtime.Torch;
import io.sdfleet.request.FaceRestoration;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code ./sd restore-faces --restorer GFPGAN|CodeFormer --model PATH --face-models DIR --image IN --out OUT
 * [--codeformer-weight W] [--seed N]}: A1111's restore faces on one image. {@code DIR} holds facexlib's
 * {@code detection_Resnet50_Final.pth} and {@code parsing_parsenet.pth}; {@code --seed} seeds GFPGAN's noise (torch's
 * CPU generator, drawn in GFPGAN's order; default 0); the CodeFormer weight defaults to A1111's 0.5.
 */
final class RestoreFacesCommand {

    private RestoreFacesCommand() {
    }

    static void run(List<String> args, PrintStream out) {
        Arguments a = Arguments.parse(args, Set.of());
        String restorer = FaceRestoration.canonical(a.required("restorer")).orElseThrow(() ->
                new UsageException("--restorer must be one of " + FaceRestoration.MODELS));
        Path model = required(a, "model");
        Path faceModels = required(a, "face-models");
        Path image = required(a, "image");
        Path output = Path.of(a.required("out"));
        double weight = a.decimal("codeformer-weight", FaceRestoration.DEFAULT_CODEFORMER_WEIGHT);
        if (!(weight >= 0 && weight <= 1)) {
            throw new UsageException("--codeformer-weight must be between 0 and 1, got " + weight);
        }
        long seed = a.longValue("seed", 0);
        String device = a.string("device", "cpu");
        a.rejectUnknown();
        FaceRestorerLibrary.RestorerFiles files = new FaceRestorerLibrary.RestorerFiles(model,
                helperFile(faceModels, FaceRestoration.DETECTION_FILE), helperFile(faceModels, FaceRestoration.PARSING_FILE));
        PixelPlanes input = ImageFiles.read(image);
        long start = System.nanoTime();
        try (NDManager manager = Torch.newManager(Torch.device(device));
             FaceRestorer faces = FaceRestorerLibrary.none().withFiles(restorer, files).open(restorer, manager)) {
            PixelPlanes restored = faces.restore(input, new RestoreOptions(weight, seed));
            ImageFiles.write(output, restored, Map.of());
        }
        out.printf("restored faces with %s: %s (%dx%d) in %.1f s%n", restorer, output, input.width(), input.height(),
                (System.nanoTime() - start) / 1e9);
    }

    private static Path required(Arguments a, String name) {
        Path p = a.existingPath(name);
        if (p == null) {
            throw new UsageException("missing required option --" + name);
        }
        return p;
    }

    private static Path helperFile(Path dir, String name) {
        Path file = dir.resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new UsageException("--face-models " + dir + " has no " + name);
        }
        return file;
    }
}
