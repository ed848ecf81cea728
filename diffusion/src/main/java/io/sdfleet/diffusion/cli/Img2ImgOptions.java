package io.sdfleet.diffusion.cli;

import io.sdfleet.diffusion.image.ResizeMode;
import io.sdfleet.diffusion.inpaint.InpaintingFill;
import io.sdfleet.diffusion.inpaint.MaskOptions;
import io.sdfleet.diffusion.pipeline.Img2ImgInput;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The img2img and inpainting options of {@code ./sd img2img}, named as A1111's API fields. */
final class Img2ImgOptions {

    private Img2ImgOptions() {
    }

    static Img2ImgInput read(Arguments a) {
        Path initPath = a.existingPath("init-image");
        if (initPath == null) {
            throw new UsageException("missing required option --init-image");
        }
        BufferedImage init = image("init-image", initPath);
        Path maskPath = a.existingPath("mask");
        Optional<MaskOptions> mask = Optional.empty();
        if (maskPath != null) {
            mask = Optional.of(new MaskOptions(image("mask", maskPath), a.integer("mask-blur", 4),
                    InpaintingFill.ofName(a.string("inpainting-fill", "original")), a.flag("inpaint-full-res"),
                    a.integer("inpaint-full-res-padding", 32), a.flag("inpainting-mask-invert")));
        }
        return new Img2ImgInput(List.of(init), a.decimal("denoising-strength", 0.75),
                ResizeMode.ofIndex(a.integer("resize-mode", 0)), mask, null);
    }

    private static BufferedImage image(String option, Path path) {
        try {
            BufferedImage image = ImageIO.read(path.toFile());
            if (image == null) {
                throw new UsageException("--" + option + ": not an image ImageIO can read: " + path);
            }
            return image;
        } catch (IOException e) {
            throw new UsageException("--" + option + ": cannot read " + path + ": " + e.getMessage());
        }
    }
}
