package io.sdfleet.diffusion.cli;

import io.sdfleet.request.Img2Img;
import io.sdfleet.request.InpaintingFill;
import io.sdfleet.request.MaskOptions;
import io.sdfleet.request.ResizeMode;

import javax.imageio.ImageIO;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

/** The img2img and inpainting options of {@code ./sd img2img}, named as A1111's API fields. */
final class Img2ImgOptions {

    private Img2ImgOptions() {
    }

    static Img2Img read(Arguments a) {
        Path initPath = a.existingPath("init-image");
        if (initPath == null) {
            throw new UsageException("missing required option --init-image");
        }
        String init = image("init-image", initPath);
        Path maskPath = a.existingPath("mask");
        MaskOptions mask = null;
        if (maskPath != null) {
            mask = new MaskOptions(image("mask", maskPath), a.integer("mask-blur", 4),
                    InpaintingFill.ofName(a.string("inpainting-fill", "original")), a.flag("inpaint-full-res"),
                    a.integer("inpaint-full-res-padding", 32), a.flag("inpainting-mask-invert"));
        }
        return new Img2Img(List.of(init), a.decimal("denoising-strength", 0.75),
                ResizeMode.ofIndex(a.integer("resize-mode", 0)), mask, null);
    }

    /** The file as the request carries images (base64), once it is known to be an image ImageIO can read. */
    private static String image(String option, Path path) {
        try {
            byte[] bytes = Files.readAllBytes(path);
            if (ImageIO.read(new ByteArrayInputStream(bytes)) == null) {
                throw new UsageException("--" + option + ": not an image ImageIO can read: " + path);
            }
            return Base64.getEncoder().encodeToString(bytes);
        } catch (IOException e) {
            throw new UsageException("--" + option + ": cannot read " + path + ": " + e.getMessage());
        }
    }
}
