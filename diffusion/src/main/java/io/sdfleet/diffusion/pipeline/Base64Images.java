package io.sdfleet.diffusion.pipeline;

import io.sdfleet.request.Img2Img;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The request's images, decoded from the base64 they travel as (PNG from the gateway; any ImageIO format). */
final class Base64Images {

    private Base64Images() {
    }

    /** The init image of each image of the batch, each distinct one decoded once. */
    static List<BufferedImage> initImages(Img2Img input, int batch) {
        Map<String, BufferedImage> decoded = new HashMap<>();
        List<BufferedImage> images = new ArrayList<>();
        for (int k = 0; k < batch; k++) {
            images.add(decoded.computeIfAbsent(input.initImageFor(k), base64 -> decode(base64, "init_images")));
        }
        return images;
    }

    /** The inpainting mask; null for plain img2img. */
    static BufferedImage mask(Img2Img input) {
        return input.mask() == null ? null : decode(input.mask().mask(), "mask");
    }

    private static BufferedImage decode(String base64, String field) {
        try {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(base64Bytes(base64, field)));
            if (image == null) {
                throw new IllegalArgumentException(field + ": an image cannot be decoded");
            }
            return image;
        } catch (IOException e) {
            throw new IllegalArgumentException(field + ": an image cannot be decoded: " + e.getMessage(), e);
        }
    }

    private static byte[] base64Bytes(String base64, String field) {
        try {
            return Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + ": an image is not valid base64", e);
        }
    }
}
