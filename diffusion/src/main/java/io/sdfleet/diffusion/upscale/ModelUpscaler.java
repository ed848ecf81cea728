package io.sdfleet.diffusion.upscale;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.image.PixelPlanes;

/**
 * An upscaler backed by an {@link RrdbNet} (A1111's ESRGAN and Real-ESRGAN upscalers): a pass is
 * {@code upscale_with_model} — the image whole, or in {@code tileSize} tiles overlapping by {@code tileOverlap}
 * (A1111's {@code ESRGAN_tile} 192 and {@code ESRGAN_tile_overlap} 8), each tile converted to 8 bits before the
 * tiles are joined.
 */
public final class ModelUpscaler implements Upscaler {

    public static final int DEFAULT_TILE = 192;
    public static final int DEFAULT_TILE_OVERLAP = 8;

    private final String displayName;
    private final RrdbNet net;
    private final NDManager manager;
    private final int tileSize;
    private final int tileOverlap;
    private final Runnable afterEachPatch;

    /** @param manager where each patch's arrays are made (its device runs the network); 0 tile size: no tiling */
    public ModelUpscaler(String displayName, RrdbNet net, NDManager manager, int tileSize, int tileOverlap) {
        this(displayName, net, manager, tileSize, tileOverlap, () -> { });
    }

    private ModelUpscaler(String displayName, RrdbNet net, NDManager manager, int tileSize, int tileOverlap,
                          Runnable afterEachPatch) {
        this.displayName = displayName;
        this.net = net;
        this.manager = manager;
        this.tileSize = tileSize;
        this.tileOverlap = tileOverlap;
        this.afterEachPatch = afterEachPatch;
    }

    /**
     * The same upscaler, calling {@code listener} after each tile (or whole image) the network ran on: a long upscale
     * can report progress and be stopped between tiles (the listener may throw).
     */
    public ModelUpscaler afterEachPatch(Runnable listener) {
        return new ModelUpscaler(displayName, net, manager, tileSize, tileOverlap, listener);
    }

    @Override
    public String displayName() {
        return displayName;
    }

    @Override
    public PixelPlanes pass(PixelPlanes image, double scale) {
        if (tileSize <= 0 || image.width() <= tileOverlap || image.height() <= tileOverlap) {
            // A1111's split_grid gives no tile at all for a side within the overlap (and its upscale then fails):
            // such an image goes through whole instead of coming back black
            return patch(image);
        }
        return TileGrid.split(image, tileSize, tileSize, tileOverlap).upscaled(this::patch).combine();
    }

    /**
     * A1111's {@code upscale_pil_patch}: RGB bytes → BGR float32 of v / 255 (divided in double) → the network →
     * clamp to [0, 1], × 255 in float32, rounded half to even → RGB bytes.
     */
    PixelPlanes patch(PixelPlanes rgb) {
        int w = rgb.width();
        int h = rgb.height();
        float[] input = new float[3 * h * w];
        for (int c = 0; c < 3; c++) {
            int[][] plane = rgb.channels()[2 - c];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    input[(c * h + y) * w + x] = (float) (plane[y][x] / 255.0);
                }
            }
        }
        float[] output;
        long outH;
        long outW;
        try (NDManager call = manager.newSubManager()) {
            NDArray y = net.forward(call.create(input, new Shape(1, 3, h, w)));
            outH = y.getShape().get(2);
            outW = y.getShape().get(3);
            output = y.toType(DataType.FLOAT32, false).toFloatArray();
        }
        int oh = (int) outH;
        int ow = (int) outW;
        int[][][] out = new int[3][oh][ow];
        for (int c = 0; c < 3; c++) {
            int[][] plane = out[2 - c];
            for (int y = 0; y < oh; y++) {
                for (int x = 0; x < ow; x++) {
                    float v = Math.min(1f, Math.max(0f, output[(c * oh + y) * ow + x])) * 255f;
                    plane[y][x] = (int) Math.rint(v);
                }
            }
        }
        afterEachPatch.run();
        return new PixelPlanes(out);
    }
}
