package io.sdfleet.diffusion.upscale;

import io.sdfleet.diffusion.image.PixelPlanes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A1111's {@code images.split_grid} / {@code combine_grid}: an image cut into overlapping tiles (an image smaller
 * than a tile becomes one tile at a negative offset, black outside the image, as PIL's crop fills it), and tiles
 * joined again, each blending into its left and upper neighbour across the overlap through PIL's paste masks.
 */
record TileGrid(int tileW, int tileH, int imageW, int imageH, int overlap, List<Row> rows) {

    record Row(int y, int h, List<Tile> tiles) {
    }

    record Tile(int x, int w, PixelPlanes image) {
    }

    static TileGrid split(PixelPlanes image, int tileW, int tileH, int overlap) {
        int w = image.width();
        int h = image.height();
        int cols = (int) Math.ceil((double) (w - overlap) / (tileW - overlap));
        int rowCount = (int) Math.ceil((double) (h - overlap) / (tileH - overlap));
        double dx = cols > 1 ? (double) (w - tileW) / (cols - 1) : 0;
        double dy = rowCount > 1 ? (double) (h - tileH) / (rowCount - 1) : 0;
        List<Row> rows = new ArrayList<>();
        for (int r = 0; r < rowCount; r++) {
            int y = (int) (r * dy);
            if (y + tileH >= h) {
                y = h - tileH;
            }
            List<Tile> tiles = new ArrayList<>();
            for (int c = 0; c < cols; c++) {
                int x = (int) (c * dx);
                if (x + tileW >= w) {
                    x = w - tileW;
                }
                tiles.add(new Tile(x, tileW, crop(image, x, y, tileW, tileH)));
            }
            rows.add(new Row(y, tileH, tiles));
        }
        return new TileGrid(tileW, tileH, w, h, overlap, rows);
    }

    /** Every tile through {@code upscale}; the grid's geometry scaled by the factor the tiles grew by. */
    TileGrid upscaled(UnaryOperator<PixelPlanes> upscale) {
        int factor = 1;
        List<Row> scaledRows = new ArrayList<>();
        for (Row row : rows) {
            List<Tile> scaled = new ArrayList<>();
            for (Tile tile : row.tiles()) {
                PixelPlanes out = upscale.apply(tile.image());
                factor = out.width() / tile.image().width();
                scaled.add(new Tile(tile.x() * factor, tile.w() * factor, out));
            }
            scaledRows.add(new Row(row.y() * factor, row.h() * factor, scaled));
        }
        return new TileGrid(tileW * factor, tileH * factor, imageW * factor, imageH * factor, overlap * factor,
                scaledRows);
    }

    PixelPlanes combine() {
        int[][] maskW = rampAcrossColumns(overlap, tileH);
        int[][] maskH = rampDownRows(imageW, overlap);
        PixelPlanes combined = PixelPlanes.filled(imageW, imageH, 3, 0);
        for (Row row : rows) {
            PixelPlanes line = PixelPlanes.filled(imageW, row.h(), 3, 0);
            for (Tile tile : row.tiles()) {
                if (tile.x() == 0) {
                    paste(line, tile.image(), 0, 0, tile.image().width(), tile.image().height(), 0, 0, null);
                    continue;
                }
                paste(line, tile.image(), 0, 0, overlap, row.h(), tile.x(), 0, maskW);
                paste(line, tile.image(), overlap, 0, tile.w() - overlap, row.h(), tile.x() + overlap, 0, null);
            }
            if (row.y() == 0) {
                paste(combined, line, 0, 0, line.width(), line.height(), 0, 0, null);
                continue;
            }
            paste(combined, line, 0, 0, line.width(), overlap, 0, row.y(), maskH);
            paste(combined, line, 0, overlap, line.width(), row.h() - overlap, 0, row.y() + overlap, null);
        }
        return combined;
    }

    /** PIL's crop: pixels outside the image are black. */
    private static PixelPlanes crop(PixelPlanes image, int x0, int y0, int w, int h) {
        PixelPlanes out = PixelPlanes.filled(w, h, image.channels().length, 0);
        paste(out, image, 0, 0, image.width(), image.height(), -x0, -y0, null);
        return out;
    }

    /**
     * PIL's paste of the {@code sw × sh} region at (sx, sy) of {@code src} onto {@code dst} at (dx, dy), clipped to
     * {@code dst}; with an L mask of the region's size each channel becomes {@code DIV255(dst·(255−m) + src·m)}.
     */
    private static void paste(PixelPlanes dst, PixelPlanes src, int sx, int sy, int sw, int sh, int dx, int dy,
                              int[][] mask) {
        for (int c = 0; c < dst.channels().length; c++) {
            int[][] to = dst.channels()[c];
            int[][] from = src.channels()[c];
            for (int y = 0; y < sh; y++) {
                int ty = dy + y;
                int fy = sy + y;
                if (ty < 0 || ty >= dst.height() || fy < 0 || fy >= src.height()) {
                    continue;
                }
                for (int x = 0; x < sw; x++) {
                    int tx = dx + x;
                    int fx = sx + x;
                    if (tx < 0 || tx >= dst.width() || fx < 0 || fx >= src.width()) {
                        continue;
                    }
                    if (mask == null) {
                        to[ty][tx] = from[fy][fx];
                    } else {
                        int m = mask[y][x];
                        to[ty][tx] = div255(to[ty][tx] * (255 - m) + from[fy][fx] * m);
                    }
                }
            }
        }
    }

    private static int div255(int v) {
        int t = v + 128;
        return ((t >> 8) + t) >> 8;
    }

    /** A1111's mask_w: column i holds uint8(i · 255 / overlap), computed in float32 and truncated. */
    private static int[][] rampAcrossColumns(int overlap, int height) {
        int[][] mask = new int[height][overlap];
        for (int[] row : mask) {
            for (int i = 0; i < overlap; i++) {
                row[i] = ramp(i, overlap);
            }
        }
        return mask;
    }

    /** A1111's mask_h: row i holds uint8(i · 255 / overlap). */
    private static int[][] rampDownRows(int width, int overlap) {
        int[][] mask = new int[overlap][width];
        for (int i = 0; i < overlap; i++) {
            Arrays.fill(mask[i], ramp(i, overlap));
        }
        return mask;
    }

    private static int ramp(int i, int overlap) {
        return (int) ((float) i * 255f / overlap);
    }
}
