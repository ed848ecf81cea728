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
            data.writeBytes(zlib(new byte[bytesEach]));
            out.writeBytes(chunk("zTXt", data.toByteArray()));
        }
        out.write(png, headerEnd, png.length - headerEnd);
        return out.toByteArray();
    }

    /** {@code data} zlib-compressed, as PNG's zTXt chunks and IDAT hold it. */
    public static byte[] zlib(byte[] data) {
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
        deflater.setInput(data);
        deflater.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[65_536];
        while (!deflater.finished()) {
            out.write(buffer, 0, deflater.deflate(buffer));
        }
        return out.toByteArray();
    }

    /** One PNG chunk: length, type, data, CRC of type and data. */
    public static byte[] chunk(String type, byte[] data) {
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        return ByteBuffer.allocate(12 + data.length).putInt(data.length).put(typeBytes).put(data)
                .putInt((int) crc.getValue()).array();
    }
}
