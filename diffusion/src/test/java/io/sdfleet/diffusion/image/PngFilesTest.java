package io.sdfleet.diffusion.image;

import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
        assertThat(new String(png, StandardCharsets.ISO_8859_1)).contains("tEXtparameters").contains("iTXtnote");
        BufferedImage back = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(back.getWidth()).isEqualTo(4);
        assertThat(back.getRGB(1, 2) & 0xFFFFFF).isEqualTo(0x123456);
    }

    /** Gateway fuzz finding: an iTXt chunk ending right after its keyword threw ArrayIndexOutOfBounds (a 500). */
    @Test
    void aTruncatedInternationalTextChunkIsACorruptPng() {
        byte[] png = withChunk("iTXt", "parameters\0".getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> PngFiles.readText(png))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** A compressed text chunk that inflates beyond 16 MB is refused instead of filling the heap. */
    @Test
    void aZipBombTextChunkIsACorruptPng() {
        Deflater deflater = new Deflater(9);
        deflater.setInput(new byte[PngFiles.MAX_TEXT_BYTES + 1024]);
        deflater.finish();
        ByteArrayOutputStream z = new ByteArrayOutputStream();
        byte[] buffer = new byte[65_536];
        while (!deflater.finished()) {
            z.write(buffer, 0, deflater.deflate(buffer));
        }
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        data.writeBytes("parameters\0\0".getBytes(StandardCharsets.ISO_8859_1));
        data.writeBytes(z.toByteArray());
        byte[] png = withChunk("zTXt", data.toByteArray());
        assertThatThrownBy(() -> PngFiles.readText(png))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("more than");
    }

    /**
     * Security finding: the cap was per chunk, so a 408 KB PNG with 20 zTXt chunks of 16 MB each answered 314 MB. The
     * budget counts all chunks together.
     */
    @Test
    void manyTextChunksShareOneBudget() {
        Map<String, String> text = new LinkedHashMap<>();
        for (int i = 0; i < 5; i++) {
            text.put("chunk" + i, "x".repeat(1000));
        }
        byte[] png = PngFiles.encode(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB), text);
        assertThat(PngFiles.readText(png, 5000)).hasSize(5);
        assertThatThrownBy(() -> PngFiles.readText(png, 4999))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("more than 4999 bytes");
    }

    private static byte[] withChunk(String type, byte[] data) {
        byte[] plain = PngFiles.encode(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB), Map.of());
        int ihdrEnd = 8 + 8 + 13 + 4;
        ByteBuffer chunk = ByteBuffer.allocate(12 + data.length);
        chunk.putInt(data.length).put(type.getBytes(StandardCharsets.US_ASCII)).put(data);
        CRC32 crc = new CRC32();
        crc.update(type.getBytes(StandardCharsets.US_ASCII));
        crc.update(data);
        chunk.putInt((int) crc.getValue());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(plain, 0, ihdrEnd);
        out.writeBytes(chunk.array());
        out.write(plain, ihdrEnd, plain.length - ihdrEnd);
        return out.toByteArray();
    }
}
