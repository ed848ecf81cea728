package io.sdfleet.diffusion.image;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * PNG bytes with text chunks, the way A1111 stores its infotext: key {@code parameters}, written as tEXt when the
 * text is Latin-1 and as uncompressed iTXt (UTF-8) otherwise, exactly as PIL's {@code PngInfo.add_text} chooses.
 */
public final class PngFiles {

    /** Inflated size of one compressed text chunk; infotexts are a few KB. */
    static final int MAX_INFLATED_TEXT = 16 * 1024 * 1024;
    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    private PngFiles() {
    }

    /** Encodes {@code image} as PNG and inserts the text chunks right after IHDR. */
    public static byte[] encode(BufferedImage image, Map<String, String> text) {
        byte[] plain;
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(image, "png", out);
            plain = out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int ihdrEnd = SIGNATURE.length + 8 + 13 + 4;
        ByteArrayOutputStream out = new ByteArrayOutputStream(plain.length + 1024);
        out.write(plain, 0, ihdrEnd);
        for (Map.Entry<String, String> e : text.entrySet()) {
            writeChunk(out, textChunk(e.getKey(), e.getValue()));
        }
        out.write(plain, ihdrEnd, plain.length - ihdrEnd);
        return out.toByteArray();
    }

    /** Reads every tEXt, zTXt and iTXt chunk of a PNG. */
    public static Map<String, String> readText(byte[] png) {
        Map<String, String> text = new LinkedHashMap<>();
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(png))) {
            byte[] sig = in.readNBytes(8);
            if (!java.util.Arrays.equals(sig, SIGNATURE)) {
                throw new IllegalArgumentException("not a PNG file");
            }
            while (true) {
                int length;
                try {
                    length = in.readInt();
                } catch (EOFException end) {
                    break;
                }
                byte[] type = in.readNBytes(4);
                byte[] data = in.readNBytes(length);
                in.readInt(); // crc
                String kind = new String(type, StandardCharsets.US_ASCII);
                switch (kind) {
                    case "tEXt" -> {
                        int nul = indexOf(data, 0);
                        text.put(latin1(data, 0, nul), latin1(data, nul + 1, data.length));
                    }
                    case "zTXt" -> {
                        int nul = indexOf(data, 0);
                        text.put(latin1(data, 0, nul), new String(inflate(data, nul + 2), StandardCharsets.ISO_8859_1));
                    }
                    case "iTXt" -> readInternationalText(data, text);
                    case "IEND" -> {
                        return text;
                    }
                    default -> {
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("corrupt PNG: " + e.getMessage(), e);
        }
        return text;
    }

    private static void readInternationalText(byte[] data, Map<String, String> text) throws IOException {
        int keyEnd = indexOf(data, 0);
        if (keyEnd + 3 > data.length) {
            throw new IllegalArgumentException("corrupt PNG iTXt chunk: truncated after the keyword");
        }
        boolean compressed = data[keyEnd + 1] != 0;
        int languageEnd = indexOf(data, keyEnd + 3);
        int translatedEnd = indexOf(data, languageEnd + 1);
        byte[] value = compressed ? inflate(data, translatedEnd + 1)
                : java.util.Arrays.copyOfRange(data, translatedEnd + 1, data.length);
        text.put(latin1(data, 0, keyEnd), new String(value, StandardCharsets.UTF_8));
    }

    private static byte[] textChunk(String key, String value) {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        data.writeBytes("    ".getBytes(StandardCharsets.US_ASCII)); // chunk type placeholder, replaced below
        byte[] keyBytes = key.getBytes(StandardCharsets.ISO_8859_1);
        if (StandardCharsets.ISO_8859_1.newEncoder().canEncode(value)) {
            data.writeBytes(keyBytes);
            data.write(0);
            data.writeBytes(value.getBytes(StandardCharsets.ISO_8859_1));
            return withType(data.toByteArray(), "tEXt");
        }
        data.writeBytes(keyBytes);
        data.write(0);
        data.write(0); // not compressed
        data.write(0); // compression method
        data.write(0); // empty language tag
        data.write(0); // empty translated keyword
        data.writeBytes(value.getBytes(StandardCharsets.UTF_8));
        return withType(data.toByteArray(), "iTXt");
    }

    private static byte[] withType(byte[] typeAndData, String type) {
        System.arraycopy(type.getBytes(StandardCharsets.US_ASCII), 0, typeAndData, 0, 4);
        return typeAndData;
    }

    private static void writeChunk(ByteArrayOutputStream out, byte[] typeAndData) {
        ByteBuffer length = ByteBuffer.allocate(4).putInt(typeAndData.length - 4);
        out.writeBytes(length.array());
        out.writeBytes(typeAndData);
        CRC32 crc = new CRC32();
        crc.update(typeAndData);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    private static int indexOf(byte[] data, int from) {
        for (int i = from; i < data.length; i++) {
            if (data[i] == 0) {
                return i;
            }
        }
        throw new IllegalArgumentException("corrupt PNG text chunk: no separator");
    }

    private static String latin1(byte[] data, int from, int to) {
        return new String(data, from, to - from, StandardCharsets.ISO_8859_1);
    }

    private static byte[] inflate(byte[] data, int from) throws IOException {
        try (InflaterInputStream in = new InflaterInputStream(
                new java.io.ByteArrayInputStream(data, from, data.length - from), new Inflater())) {
            byte[] text = in.readNBytes(MAX_INFLATED_TEXT + 1);
            if (text.length > MAX_INFLATED_TEXT) { // a zip bomb, not an infotext
                throw new IOException("compressed text chunk inflates beyond " + MAX_INFLATED_TEXT + " bytes");
            }
            return text;
        }
    }
}
