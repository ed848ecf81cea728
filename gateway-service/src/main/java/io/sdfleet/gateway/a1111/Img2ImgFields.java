package io.sdfleet.gateway.a1111;

import io.sdfleet.contracts.Img2ImgOptions;
import tools.jackson.databind.JsonNode;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The img2img fields of an A1111 request: base64 init images and mask (a {@code data:} prefix allowed, PNG, JPEG,
 * BMP or GIF), re-encoded as PNG for the job so workers see one format; resize mode, strength and inpainting options
 * with A1111's API defaults (note {@code inpaint_full_res} defaults to true in A1111's API).
 */
final class Img2ImgFields {

    /** Per image, decoded; a 4096² RGBA PNG is far below it, anything bigger is not a picture for this fleet. */
    static final int MAX_IMAGE_BYTES = 32 * 1024 * 1024;
    static final int MAX_SIDE = 4096;
    static final int MAX_INIT_IMAGES = 16;

    private Img2ImgFields() {
    }

    static Img2ImgOptions parse(JsonNode body, Fields f, List<FieldProblem> unsupported) {
        List<String> images = new ArrayList<>();
        JsonNode init = body.get("init_images");
        if (init == null || init.isNull() || !init.isArray() || init.isEmpty()) {
            f.problem("init_images", "must be a non-empty list of base64-encoded images");
        } else if (init.size() > MAX_INIT_IMAGES) {
            f.problem("init_images", "at most " + MAX_INIT_IMAGES + " images, got " + init.size());
        } else {
            for (int i = 0; i < init.size(); i++) {
                String png = asPng(init.get(i), "init_images[" + i + "]", f);
                if (png != null) {
                    images.add(png);
                }
            }
        }
        String mask = null;
        JsonNode maskNode = body.get("mask");
        if (maskNode != null && !maskNode.isNull()) {
            mask = asPng(maskNode, "mask", f);
        }
        int blur = (int) f.integer("mask_blur", -1, 0, 64);
        int blurX = (int) f.integer("mask_blur_x", 4, 0, 64);
        int blurY = (int) f.integer("mask_blur_y", 4, 0, 64);
        if (blur < 0) {
            if (blurX != blurY) {
                unsupported.add(new FieldProblem("mask_blur_x", "different x and y mask blur is not supported yet"));
            }
            blur = blurX;
        }
        double strength = f.number("denoising_strength", 0.75, 0, 1);
        int resizeMode = (int) f.integer("resize_mode", 0, 0, 3);
        int fill = (int) f.integer("inpainting_fill", 0, 0, 3);
        boolean fullRes = f.bool("inpaint_full_res", true);
        int padding = (int) f.integer("inpaint_full_res_padding", 0, 0, 256);
        boolean invert = f.bool("inpainting_mask_invert", false);
        return new Img2ImgOptions(images, strength, Math.min(resizeMode, 2), mask, blur, fill, fullRes, padding, invert);
    }

    /** The image as base64 PNG, or null after recording why it cannot be used. */
    private static String asPng(JsonNode node, String field, Fields f) {
        if (!node.isString()) {
            f.problem(field, "must be a base64-encoded image string");
            return null;
        }
        String text = node.asString();
        int comma = text.indexOf(',');
        if (text.startsWith("data:") && comma > 0) {
            text = text.substring(comma + 1);
        }
        byte[] bytes;
        try {
            bytes = Base64.getMimeDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            f.problem(field, "is not valid base64");
            return null;
        }
        if (bytes.length > MAX_IMAGE_BYTES) {
            f.problem(field, "image is larger than " + MAX_IMAGE_BYTES / (1024 * 1024) + " MB");
            return null;
        }
        try {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
            if (image == null) {
                f.problem(field, "is not a PNG, JPEG, BMP or GIF image");
                return null;
            }
            if (image.getWidth() > MAX_SIDE || image.getHeight() > MAX_SIDE) {
                f.problem(field, "image is " + image.getWidth() + "x" + image.getHeight() + "; at most " + MAX_SIDE + " per side");
                return null;
            }
            if (bytes.length > 8 && bytes[1] == 'P' && bytes[2] == 'N' && bytes[3] == 'G') {
                return Base64.getEncoder().encodeToString(bytes);
            }
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            ImageIO.write(image, "png", png);
            return Base64.getEncoder().encodeToString(png.toByteArray());
        } catch (IOException | RuntimeException e) {
            f.problem(field, "cannot be decoded as an image");
            return null;
        }
    }
}
