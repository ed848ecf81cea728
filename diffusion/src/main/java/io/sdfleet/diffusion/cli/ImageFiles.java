package io.sdfleet.diffusion.cli;

import io.sdfleet.diffusion.image.PixelPlanes;
import io.sdfleet.diffusion.image.PngFiles;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Reading an input image as RGB planes and writing a PNG with text chunks, for the image commands. */
final class ImageFiles {

    private ImageFiles() {
    }

    static PixelPlanes read(Path file) {
        try {
            BufferedImage image = ImageIO.read(file.toFile());
            if (image == null) {
                throw new UsageException(file + " is not a PNG, JPEG, BMP or GIF image");
            }
            return PixelPlanes.rgb(image);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    static void write(Path file, PixelPlanes image, Map<String, String> text) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.write(file, PngFiles.encode(image.toImage(), text));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
