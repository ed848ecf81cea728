package io.sdfleet.diffusion.noise;

/**
 * Places one (C, h, w) noise centred on another (C, H, W), as A1111 does for "resize seed from": a smaller source
 * lands in the middle of the target, a larger one is cropped to its middle; the rest of the target is kept.
 */
public final class CentredPaste {

    private CentredPaste() {
    }

    /** Returns a copy of {@code target} [channels, targetH, targetW] with {@code source} pasted centred. */
    public static float[] paste(float[] target, int channels, int targetH, int targetW,
                                float[] source, int sourceH, int sourceW) {
        Span rows = Span.centre(targetH, sourceH);
        Span cols = Span.centre(targetW, sourceW);
        float[] out = target.clone();
        for (int c = 0; c < channels; c++) {
            for (int r = 0; r < rows.length(); r++) {
                int to = (c * targetH + rows.target() + r) * targetW + cols.target();
                int from = (c * sourceH + rows.source() + r) * sourceW + cols.source();
                System.arraycopy(source, from, out, to, cols.length());
            }
        }
        return out;
    }

    /** Where the overlap starts in target and source along one axis, and how long it is. */
    record Span(int target, int source, int length) {

        /** A1111's arithmetic: the offset (floor of half the size difference) decides who is cropped. */
        static Span centre(int targetSize, int sourceSize) {
            int offset = Math.floorDiv(targetSize - sourceSize, 2);
            return offset >= 0
                    ? new Span(offset, 0, sourceSize)
                    : new Span(0, -offset, sourceSize + 2 * offset);
        }
    }
}
