package io.sdfleet.diffusion.inpaint;

/**
 * A1111's "inpaint only masked" region: the mask's bounding box grown by the padding, then widened or heightened
 * to the processing aspect ratio (within the image), so the crop can be scaled to width × height without
 * distortion ({@code masking.get_crop_region} and {@code expand_crop_region}).
 */
public record CropRegion(int x1, int y1, int x2, int y2) {

    public int width() {
        return x2 - x1;
    }

    public int height() {
        return y2 - y1;
    }

    /** The padded box around the mask's non-zero pixels; the whole image when the mask is empty. */
    static CropRegion around(int[][] mask, int padding) {
        int h = mask.length;
        int w = mask[0].length;
        int minX = w;
        int minY = h;
        int maxX = -1;
        int maxY = -1;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (mask[y][x] != 0) {
                    minX = Math.min(minX, x);
                    minY = Math.min(minY, y);
                    maxX = Math.max(maxX, x);
                    maxY = Math.max(maxY, y);
                }
            }
        }
        if (maxX < 0) {
            return new CropRegion(0, 0, w, h);
        }
        return new CropRegion(Math.max(minX - padding, 0), Math.max(minY - padding, 0),
                Math.min(maxX + 1 + padding, w), Math.min(maxY + 1 + padding, h));
    }

    /** Grown to the aspect ratio of processWidth × processHeight, shifted to stay inside the image. */
    CropRegion expandedTo(int processWidth, int processHeight, int imageWidth, int imageHeight) {
        int ax1 = x1;
        int ay1 = y1;
        int ax2 = x2;
        int ay2 = y2;
        double ratioCrop = (double) width() / height();
        double ratioProcess = (double) processWidth / processHeight;
        if (ratioCrop > ratioProcess) {
            int desiredHeight = (int) (width() / ratioProcess);
            int diff = desiredHeight - height();
            ay1 -= diff / 2;
            ay2 += diff - diff / 2;
            if (ay2 >= imageHeight) {
                ay1 -= ay2 - imageHeight;
                ay2 = imageHeight;
            }
            if (ay1 < 0) {
                ay2 -= ay1;
                ay1 = 0;
            }
            ay2 = Math.min(ay2, imageHeight);
        } else {
            int desiredWidth = (int) (height() * ratioProcess);
            int diff = desiredWidth - width();
            ax1 -= diff / 2;
            ax2 += diff - diff / 2;
            if (ax2 >= imageWidth) {
                ax1 -= ax2 - imageWidth;
                ax2 = imageWidth;
            }
            if (ax1 < 0) {
                ax2 -= ax1;
                ax1 = 0;
            }
            ax2 = Math.min(ax2, imageWidth);
        }
        return new CropRegion(ax1, ay1, ax2, ay2);
    }
}
