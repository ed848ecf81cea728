package io.sdfleet.diffusion.cli;

import ai.djl.ndarray.NDManager;
import io.sdfleet.diffusion.checkpoint.CheckpointFiles;
import io.sdfleet.diffusion.checkpoint.TensorSource;
import io.sdfleet.diffusion.image.PixelPlanes;
import io.sdfleet.diffusion.runtime.Torch;
import io.sdfleet.diffusion.upscale.ModelUpscaler;
import io.sdfleet.diffusion.upscale.RrdbNet;
import io.sdfleet.request.UpscalerNames;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code ./sd upscale --upscaler PATH --image IN --out OUT [--scale S] [--tile N] [--tile-overlap N]}: an ESRGAN or
 * Real-ESRGAN file's upscale as A1111's {@code Upscaler.upscale} makes it (the model's passes until the scaled size,
 * rounded down to a multiple of 8, is reached, then Lanczos to it), tiled as {@code ESRGAN_tile} /
 * {@code ESRGAN_tile_overlap} (192 / 8; {@code --tile 0}: whole). The scale defaults to the model's own.
 */
final class UpscaleCommand {

    private UpscaleCommand() {
    }

    static void run(List<String> args, PrintStream out) {
        Arguments a = Arguments.parse(args, Set.of());
        Path model = a.existingPath("upscaler");
        Path image = a.existingPath("image");
        if (model == null || image == null) {
            throw new UsageException("missing required option --" + (model == null ? "upscaler" : "image"));
        }
        Path target = Path.of(a.required("out"));
        double scale = a.decimal("scale", 0);
        int tile = a.integer("tile", ModelUpscaler.DEFAULT_TILE);
        int overlap = a.integer("tile-overlap", ModelUpscaler.DEFAULT_TILE_OVERLAP);
        String device = a.string("device", "cpu");
        a.rejectUnknown();
        if (scale != 0 && !(scale > 0 && scale <= 16)) {
            throw new UsageException("--scale must be above 0 and at most 16, got " + scale);
        }
        if (tile < 0 || overlap < 0 || tile > 0 && overlap >= tile) {
            throw new UsageException("--tile must be 0 (no tiling) or larger than --tile-overlap (both ≥ 0)");
        }
        PixelPlanes input = ImageFiles.read(image);
        String name = UpscalerNames.stem(model.getFileName().toString());
        PixelPlanes result;
        double by;
        try (NDManager manager = Torch.newManager(Torch.device(device))) {
            RrdbNet net;
            try (TensorSource file = CheckpointFiles.open(model)) {
                net = RrdbNet.load(file, manager);
            }
            by = scale == 0 ? net.scale() : scale;
            result = new ModelUpscaler(name, net, manager, tile, overlap).upscale(input, by);
        }
        ImageFiles.write(target, result, Map.of());
        out.printf("%s: %dx%d -> %dx%d (%s, scale %s, tile %d, overlap %d)%n", target, input.width(), input.height(),
                result.width(), result.height(), name, by, tile, overlap);
    }
}
