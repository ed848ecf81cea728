package io.sdfleet.diffusion.extras;

import ai.djl.ndarray.NDManager;
import io.sdfleet.diffusion.image.PixelPlanes;
import io.sdfleet.diffusion.restore.FaceRestorationNetwork;
import io.sdfleet.diffusion.restore.restorer.FaceRestorer;
import io.sdfleet.diffusion.restore.restorer.FaceRestorers;
import io.sdfleet.diffusion.upscale.ModelUpscaler;
import io.sdfleet.diffusion.upscale.Upscaler;
import io.sdfleet.diffusion.upscale.UpscalerLibrary;
import io.sdfleet.request.Extras;
import io.sdfleet.request.FaceRestoration;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * A1111's Extras on one image ({@code modules/postprocessing.run_extras} with its postprocessing scripts in their
 * order): Upscale ({@code scripts/postprocessing_upscale.py}), then GFPGAN, then CodeFormer, each on the previous
 * result, each writing its infotext entries in A1111's order.
 */
public final class Postprocessing {

    /** One image postprocessed: the result and A1111's {@code pp.info} (joined by {@link #infotext}). */
    public record Result(PixelPlanes image, Map<String, String> info) {

        /** A1111's extras infotext: {@code key: value} joined by ", " (values quoted as infotext_utils.quote). */
        public String infotext() {
            StringBuilder b = new StringBuilder();
            info.forEach((k, v) -> {
                if (!b.isEmpty()) {
                    b.append(", ");
                }
                b.append(k.equals(v) ? k : k + ": " + quote(v));
            });
            return b.toString();
        }
    }

    private final UpscalerLibrary upscalers;
    private final FaceRestorers restorers;
    private final NDManager manager;
    private final Runnable progress;

    /** @param manager where upscaler and restorer networks are read and run (its device runs them) */
    public Postprocessing(UpscalerLibrary upscalers, FaceRestorers restorers, NDManager manager) {
        this(upscalers, restorers, manager, () -> { });
    }

    /**
     * @param progress called after each network run (an upscaler tile, a restore): where a long job reports that it
     *                 is alive and may be stopped (it may throw)
     */
    public Postprocessing(UpscalerLibrary upscalers, FaceRestorers restorers, NDManager manager, Runnable progress) {
        this.upscalers = upscalers;
        this.restorers = restorers;
        this.manager = manager;
        this.progress = progress;
    }

    /** @param seed GFPGAN's noise seed (the image's seed, so a restore is reproducible) */
    public Result run(PixelPlanes rgb, Extras extras, long seed) {
        Map<String, String> info = new LinkedHashMap<>();
        PixelPlanes image = rgb;
        if (extras.upscales()) {
            image = upscale(image, extras, info);
        }
        if (extras.restoresWithGfpgan()) {
            image = restore(image, FaceRestoration.GFPGAN, extras.gfpganVisibility(), extras.codeformerWeight(), seed);
            info.put("GFPGAN visibility", pyRound3(extras.gfpganVisibility()));
        }
        if (extras.restoresWithCodeFormer()) {
            image = restore(image, FaceRestoration.CODEFORMER, extras.codeformerVisibility(), extras.codeformerWeight(), seed);
            info.put("CodeFormer visibility", pyRound3(extras.codeformerVisibility()));
            info.put("CodeFormer weight", pyRound3(extras.codeformerWeight()));
        }
        return new Result(image, info);
    }

    /**
     * The Upscale step: upscaler 1 by {@code upscaling_resize} (mode 0) or by max(w_t / W, h_t / H) (mode 1, then
     * centred on a black w_t × h_t canvas when cropping); upscaler 2, when blended, upscales the original image the
     * same way and is blended over the first result at its visibility.
     */
    private PixelPlanes upscale(PixelPlanes original, Extras extras, Map<String, String> info) {
        Function<String, PixelPlanes> by = name -> {
            try (NDManager run = manager.newSubManager()) {
                Upscaler upscaler = upscalers.open(name, run);
                if (upscaler instanceof ModelUpscaler model) {
                    upscaler = model.afterEachPatch(progress);
                }
                return upscaleOne(original, extras, upscaler);
            }
        };
        if (extras.resizeMode() == 1) {
            info.put("Postprocess upscale to", extras.resizeWidth() + "x" + extras.resizeHeight());
        } else {
            info.put("Postprocess upscale by", extras.scaleGiven() ? pyFloat(extras.upscalingResize())
                    : pyNumber(extras.upscalingResize()));
        }
        PixelPlanes result = by.apply(extras.upscaler1());
        if (extras.resizeMode() == 1 && extras.crop()) {
            info.put("Postprocess crop to", extras.resizeWidth() + "x" + extras.resizeHeight());
        }
        info.put("Postprocess upscaler", upscalerName(extras.upscaler1()));
        if (extras.blendsSecondUpscaler()) {
            PixelPlanes second = by.apply(extras.upscaler2());
            result = ImageBlend.blend(result, second, extras.upscaler2Visibility());
            info.put("Postprocess upscaler 2", upscalerName(extras.upscaler2()));
        }
        return result;
    }

    private static PixelPlanes upscaleOne(PixelPlanes image, Extras extras, Upscaler upscaler) {
        if (extras.resizeMode() != 1) {
            return upscaler.upscale(image, extras.upscalingResize());
        }
        int tw = extras.resizeWidth();
        int th = extras.resizeHeight();
        double scale = Math.max((double) tw / image.width(), (double) th / image.height());
        PixelPlanes up = upscaler.upscale(image, scale);
        return extras.crop() ? centredOn(up, tw, th) : up;
    }

    /** PIL's {@code Image.new("RGB", (w, h)).paste(img, (w // 2 - W // 2, h // 2 - H // 2))}. */
    static PixelPlanes centredOn(PixelPlanes image, int width, int height) {
        int ox = Math.floorDiv(width, 2) - Math.floorDiv(image.width(), 2);
        int oy = Math.floorDiv(height, 2) - Math.floorDiv(image.height(), 2);
        int[][][] out = new int[image.channels().length][height][width];
        for (int c = 0; c < out.length; c++) {
            for (int y = 0; y < height; y++) {
                int sy = y - oy;
                if (sy < 0 || sy >= image.height()) {
                    continue;
                }
                for (int x = 0; x < width; x++) {
                    int sx = x - ox;
                    if (sx >= 0 && sx < image.width()) {
                        out[c][y][x] = image.channels()[c][sy][sx];
                    }
                }
            }
        }
        return new PixelPlanes(out);
    }

    /** A face restorer's step: restore, then {@code Image.blend(before, restored, visibility)} below 1. */
    private PixelPlanes restore(PixelPlanes image, String restorer, double visibility, double weight, long seed) {
        PixelPlanes restored;
        try (NDManager run = manager.newSubManager(); FaceRestorer faces = restorers.open(restorer, run)) {
            restored = faces.restore(image, new FaceRestorationNetwork.RestoreOptions(weight, seed));
        }
        progress.run();
        return visibility < 1 ? ImageBlend.blend(image, restored, visibility) : restored;
    }

    /** The upscaler's name as A1111 lists it (built-ins in its spelling). */
    private static String upscalerName(String name) {
        return io.sdfleet.request.UpscalerNames.builtIn(name).orElse(name.trim());
    }

    /** Python's {@code round(v, 3)} of a float, printed as Python prints a float. */
    static String pyRound3(double v) {
        return pyFloat(Math.rint(v * 1000) / 1000);
    }

    /** Python's repr of a float: 2.0, 0.5, 1.25. */
    static String pyFloat(double v) {
        String s = Double.toString(v);
        return s.contains("E") ? new java.math.BigDecimal(v).stripTrailingZeros().toPlainString() : s;
    }

    /** An int default as Python prints it (2), else as a float. */
    static String pyNumber(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : pyFloat(v);
    }

    /** infotext_utils.quote: as is unless it holds a comma, newline or colon, then JSON-quoted. */
    static String quote(String text) {
        if (!text.contains(",") && !text.contains("\n") && !text.contains(":")) {
            return text;
        }
        StringBuilder b = new StringBuilder("\"");
        for (char ch : text.toCharArray()) {
            switch (ch) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                default -> b.append(ch < 0x20 || ch > 0x7e ? String.format("\\u%04x", (int) ch) : String.valueOf(ch));
            }
        }
        return b.append('"').toString();
    }
}
