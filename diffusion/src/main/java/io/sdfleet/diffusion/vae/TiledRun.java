package io.sdfleet.diffusion.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Runs a local network part window by window over an image and cross-fades the windows' outputs into one result,
 * so that only one window's activations are alive at a time.
 *
 * <p>Windows are cut in latent cells; {@code inScale} and {@code outScale} say how many input and output
 * pixels a cell is (decoder: 1 → 8, encoder: 8 → 1). Each window is a core plus {@link VaeTiling#pad()} cells of
 * context; of its output the core plus {@link VaeTiling#blend()} cells is kept, weighted by {@link TileSpan#weights}.
 */
final class TiledRun {

    private TiledRun() {
    }

    /** @return the blended output [N, C', cellsH·outScale, cellsW·outScale] in the input's manager */
    static NDArray run(NDArray input, int inScale, int outScale, VaeTiling tiling, UnaryOperator<NDArray> part) {
        int cellsH = Math.toIntExact(input.getShape().get(2) / inScale);
        int cellsW = Math.toIntExact(input.getShape().get(3) / inScale);
        NDManager target = input.getManager();
        NDArray result = null;
        List<TileSpan> rows = TileSpan.cut(cellsH, tiling.tile());
        List<TileSpan> cols = TileSpan.cut(cellsW, tiling.tile());
        for (TileSpan row : rows) {
            for (TileSpan col : cols) {
                try (NDManager tile = target.newSubManager()) {
                    NDArray window = input.get(new NDIndex(":,:,{}:{},{}:{}",
                            row.from(tiling.pad()) * inScale, row.to(tiling.pad()) * inScale,
                            col.from(tiling.pad()) * inScale, col.to(tiling.pad()) * inScale));
                    window.attach(tile);
                    NDArray output = part.apply(window);
                    NDArray weighted = keptAndWeighted(output, row, col, tiling, outScale);
                    if (result == null) {
                        Shape shape = output.getShape();
                        result = target.zeros(new Shape(shape.get(0), shape.get(1),
                                (long) cellsH * outScale, (long) cellsW * outScale), output.getDataType());
                    }
                    NDIndex place = new NDIndex(":,:,{}:{},{}:{}",
                            row.from(tiling.blend()) * outScale, row.to(tiling.blend()) * outScale,
                            col.from(tiling.blend()) * outScale, col.to(tiling.blend()) * outScale);
                    NDArray sum = result.get(place);
                    sum.attach(tile);
                    result.set(place, sum.addi(weighted));
                }
            }
        }
        return result;
    }

    /** The window output's core + blend band, times the separable blend weights; arrays stay in the tile's scope. */
    private static NDArray keptAndWeighted(NDArray output, TileSpan row, TileSpan col, VaeTiling tiling,
                                           int outScale) {
        NDManager tile = output.getManager();
        int top = (row.from(tiling.blend()) - row.from(tiling.pad())) * outScale;
        int left = (col.from(tiling.blend()) - col.from(tiling.pad())) * outScale;
        float[] wy = row.weights(tiling.blend(), outScale);
        float[] wx = col.weights(tiling.blend(), outScale);
        NDArray kept = output.get(new NDIndex(":,:,{}:{},{}:{}", top, top + wy.length, left, left + wx.length));
        NDArray weightY = tile.create(wy, new Shape(1, 1, wy.length, 1)).toType(output.getDataType(), false);
        NDArray weightX = tile.create(wx, new Shape(1, 1, 1, wx.length)).toType(output.getDataType(), false);
        return kept.mul(weightY).muli(weightX);
    }
}
