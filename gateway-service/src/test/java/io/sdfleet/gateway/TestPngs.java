package io.sdfleet.gateway;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import java.util.zip.CRC32;
import java.util.zip.Deflater;

/** Small PNGs with text chunks of any number and size, for the gateway's hostile-input tests. */
public final class TestPngs {

    private TestPngs() {
    }

    /** A 4×4 PNG with {@code chunks} zTXt chunks, each inflating to {@code bytesEach} bytes of text. */
    public static byte[] withCompressedText(int chunks, int bytesEach) {
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        try {
            ImageIO.write(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB), "png", plain);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] png = plain.toByteArray();
        int headerEnd = 8 + 8 + 13 + 4; // signature, then IHDR
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(png, 0, headerEnd);
        for (int i = 0; i < chunks; i++) {
            ByteArrayOutputStream data = new ByteArrayOutputStream();
            data.writeBytes(("comment" + i + "\0\0").getBytes(StandardCharsets.ISO_8859_1));
            data.writeBytes(deflate(new byte[bytesEach]));
            chunk(out, "zTXt", data.toByteArray());
        }
        out.write(png, headerEnd, png.length - headerEnd);
        return out.toByteArray();
    }

    private static byte[] deflate(byte[] bytes) {
        Deflater deflater = new Deflater(9);
        deflater.setInput(bytes);
        deflater.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[65_536];
        while (!deflater.finished()) {
            out.write(buffer, 0, deflater.deflate(buffer));
        }
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(typeBytes);
        out.writeBytes(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

}
