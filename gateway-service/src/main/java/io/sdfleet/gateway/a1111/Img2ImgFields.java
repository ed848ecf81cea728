package io.sdfleet.gateway.a1111;

import io.sdfleet.request.Img2Img;
import io.sdfleet.request.InpaintingFill;
import io.sdfleet.request.MaskOptions;
import io.sdfleet.request.ResizeMode;
import tools.jackson.databind.JsonNode;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * The img2img fields of an A1111 request: base64 init images and mask (a {@code data:} prefix allowed, PNG, JPEG,
 * BMP or GIF), re-encoded as PNG for the job so workers see one format; resize mode, strength and inpainting options
 * with A1111's API defaults (note {@code inpaint_full_res} defaults to true in A1111's API).
 */
final class Img2ImgFields {

    private Img2ImgFields() {
    }

    /**
     * The img2img part of the request; null when a field was refused (the request is then refused too).
     *
     * @param upscaler the setting {@code upscaler_for_img2img} as {@link #upscaler} read it
     */
    static Img2Img parse(JsonNode body, Fields f, List<FieldProblem> unsupported, RequestLimits limits,
                         String upscaler) {
        List<String> images = new ArrayList<>();
        int[] firstSize = null;
        JsonNode init = body.get("init_images");
        if (init == null || init.isNull() || !init.isArray() || init.isEmpty()) {
            f.problem("init_images", "must be a non-empty list of base64-encoded images");
        } else if (init.size() > limits.maxInitImages()) {
            f.problem("init_images", "at most " + limits.maxInitImages() + " images, got " + init.size());
        } else {
            for (int i = 0; i < init.size(); i++) {
                Decoded image = asPng(init.get(i), "init_images[" + i + "]", f, limits);
                if (image != null) {
                    images.add(image.png());
                    firstSize = firstSize == null && i == 0 ? new int[] {image.width(), image.height()} : firstSize;
                }
            }
        }
        String mask = null;
        JsonNode maskNode = body.get("mask");
        if (maskNode != null && !maskNode.isNull()) {
            Decoded decoded = asPng(maskNode, "mask", f, limits);
            if (decoded != null && firstSize != null && (decoded.width() != firstSize[0] || decoded.height() != firstSize[1])) {
                // the pipeline lays the mask over the init image pixel for pixel; another size changed the output's
                f.problem("mask", "mask is " + decoded.width() + "x" + decoded.height() + " but the init image is "
                        + firstSize[0] + "x" + firstSize[1] + "; they must be the same size");
            } else if (decoded != null) {
                mask = decoded.png();
            }
        }
        int blur = (int) f.integer("mask_blur", -1, 0, 64);
        int blurX = (int) f.integer("mask_blur_x", 0, 64);
        int blurY = (int) f.integer("mask_blur_y", 0, 64);
        if (blur < 0) {
            if (blurX != blurY) {
                unsupported.add(new FieldProblem("mask_blur_x", "different x and y mask blur is not supported yet"));
            }
            blur = blurX;
        }
        double strength = f.number("denoising_strength", 0, 1);
        int resizeMode = (int) f.integer("resize_mode", 0, 3);
        int fill = (int) f.integer("inpainting_fill", 0, 3);
        boolean fullRes = f.bool("inpaint_full_res");
        int padding = (int) f.integer("inpaint_full_res_padding", 0, 256);
        boolean invert = f.bool("inpainting_mask_invert", false); // an int in A1111, used as 0/1
        if (images.isEmpty()) {
            return null;
        }
        MaskOptions maskOptions = mask == null ? null
                : new MaskOptions(mask, blur, InpaintingFill.ofIndex(fill), fullRes, padding, invert);
        return new Img2Img(images, strength, ResizeMode.ofIndex(Math.min(resizeMode, 2)), maskOptions, null, upscaler);
    }

    /**
     * The setting {@code upscaler_for_img2img}: an upscaler of {@code /sdapi/v1/upscalers} (null, "" and "None": a
     * plain Lanczos resize). A1111 falls back to "None" for a name it does not list, and so does the lenient dialect
     * (reporting the setting as ignored); the native one refuses it.
     */
    static String upscaler(GenerationSettings settings, ModelCatalog models, boolean lenient, List<FieldProblem> bad,
                           List<String> ignored) {
        String key = "upscaler_for_img2img";
        JsonNode value = settings.get(key);
        if (value == null) {
            return null;
        }
        if (!value.isString()) {
            bad.add(new FieldProblem(settings.field(key), "must be an upscaler name (see /sdapi/v1/upscalers)"));
            return null;
        }
        String name = value.asString().trim();
        if (name.isEmpty() || name.equals("None")) {
            return null;
        }
        Optional<String> found = FleetUpscalers.find(models, name);
        if (found.isEmpty() && lenient) {
            ignored.add(settings.field(key));
        } else if (found.isEmpty()) {
            bad.add(new FieldProblem(settings.field(key), "upscaler '" + name + "' is not available; choose one of "
                    + FleetUpscalers.all(models).stream().map(FleetUpscalers.Item::name).toList()));
        }
        return found.orElse(null);
    }

    /** An image re-encoded as base64 PNG, and its size. */
    record Decoded(String png, int width, int height) {
    }

    /** The image as base64 PNG, or null after recording why it cannot be used. */
    static Decoded asPng(JsonNode node, String field, Fields f, RequestLimits limits) {
        if (!node.isString()) {
            f.problem(field, "must be a base64-encoded image string");
            return null;
        }
        String text = node.asString();
        int comma = text.indexOf(',');
        if (text.startsWith("data:") && comma > 0) {
            text = text.substring(comma + 1);
        }
        int maxBytes = limits.maxInitImageBytes();
        if (text.length() / 4L * 3 > 2L * maxBytes) { // far too big for any line breaks to explain: do not decode
            f.problem(field, "image is larger than " + maxBytes + " bytes");
            return null;
        }
        byte[] bytes;
        try {
            bytes = Base64.getMimeDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            f.problem(field, "is not valid base64");
            return null;
        }
        if (bytes.length > maxBytes) {
            f.problem(field, "image is larger than " + maxBytes + " bytes");
            return null;
        }
        int maxSide = limits.maxInitImageSide();
        try {
            int[] size = declaredSize(bytes);
            if (size == null) {
                f.problem(field, "is not a PNG, JPEG, BMP or GIF image");
                return null;
            }
            if (size[0] > maxSide || size[1] > maxSide || size[0] < 1 || size[1] < 1) {
                // checked before decoding: a few bytes of header can promise more pixels than the heap holds
                f.problem(field, "image is " + size[0] + "x" + size[1] + "; at most " + maxSide + " per side");
                return null;
            }
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
            if (image == null) {
                f.problem(field, "is not a PNG, JPEG, BMP or GIF image");
                return null;
            }
            if (image.getWidth() > maxSide || image.getHeight() > maxSide) {
                f.problem(field, "image is " + image.getWidth() + "x" + image.getHeight() + "; at most " + maxSide + " per side");
                return null;
            }
            if (bytes.length > 8 && bytes[1] == 'P' && bytes[2] == 'N' && bytes[3] == 'G') {
                return new Decoded(Base64.getEncoder().encodeToString(bytes), image.getWidth(), image.getHeight());
            }
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            ImageIO.write(image, "png", png);
            return new Decoded(Base64.getEncoder().encodeToString(png.toByteArray()), image.getWidth(), image.getHeight());
        } catch (IOException | RuntimeException e) {
            f.problem(field, "cannot be decoded as an image");
            return null;
        }
    }

    /** Width and height from the image's header, without decoding its pixels; null when no reader knows it. */
    private static int[] declaredSize(byte[] bytes) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = in == null ? Collections.emptyIterator() : ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                return null;
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                return new int[] {reader.getWidth(0), reader.getHeight(0)};
            } finally {
                reader.dispose();
            }
        }
    }
}
