package io.sdfleet.diffusion.image;

import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PngFilesTest {

    @Test
    void writesLatin1AsTextAndUnicodeAsInternationalTextAndStaysAValidPng() throws IOException {
        BufferedImage image = new BufferedImage(4, 3, BufferedImage.TYPE_INT_RGB);
        image.setRGB(1, 2, 0x123456);
        Map<String, String> text = new LinkedHashMap<>();
        text.put("parameters", "a cat\nSteps: 20, Sampler: Euler");
        text.put("note", "猫 and café");

        byte[] png = PngFiles.encode(image, text);

        assertThat(PngFiles.readText(png)).containsExactlyEntriesOf(text);
        assertThat(new String(png, java.nio.charset.StandardCharsets.ISO_8859_1)).contains("tEXtparameters").contains("iTXtnote");
        BufferedImage back = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(back.getWidth()).isEqualTo(4);
        assertThat(back.getRGB(1, 2) & 0xFFFFFF).isEqualTo(0x123456);
    }
}
