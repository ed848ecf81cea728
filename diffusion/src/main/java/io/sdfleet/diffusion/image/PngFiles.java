package io.sdfleet.diffusion.image;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
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

    /** Text of all chunks together, inflated; infotexts are a few KB, a ComfyUI workflow some hundred. */
    static final int MAX_TEXT_BYTES = 16 * 1024 * 1024;
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

    /** Reads every tEXt, zTXt and iTXt chunk of a PNG, at most {@value #MAX_TEXT_BYTES} bytes of text in all. */
    public static Map<String, String> readText(byte[] png) {
        return readText(png, MAX_TEXT_BYTES);
    }

    /**
     * Reads every tEXt, zTXt and iTXt chunk of a PNG. The budget counts the text of all chunks together (compressed
     * ones as inflated): many chunks that each stay under a per-chunk cap must not add up to hundreds of MB.
     *
     * @throws IllegalArgumentException when the PNG is corrupt or its text exceeds {@code maxTextBytes}
     */
    public static Map<String, String> readText(byte[] png, int maxTextBytes) {
        TextBudget budget = new TextBudget(maxTextBytes);
        Map<String, String> text = new LinkedHashMap<>();
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(png))) {
            byte[] sig = in.readNBytes(8);
            if (!Arrays.equals(sig, SIGNATURE)) {
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
                        budget.spend(data.length - nul - 1);
                        text.put(latin1(data, 0, nul), latin1(data, nul + 1, data.length));
                    }
                    case "zTXt" -> {
                        int nul = indexOf(data, 0);
                        byte[] value = inflate(data, nul + 2, budget);
                        text.put(latin1(data, 0, nul), new String(value, StandardCharsets.ISO_8859_1));
                    }
                    case "iTXt" -> readInternationalText(data, text, budget);
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

    private static void readInternationalText(byte[] data, Map<String, String> text, TextBudget budget)
            throws IOException {
        int keyEnd = indexOf(data, 0);
        if (keyEnd + 3 > data.length) {
            throw new IllegalArgumentException("corrupt PNG iTXt chunk: truncated after the keyword");
        }
        boolean compressed = data[keyEnd + 1] != 0;
        int languageEnd = indexOf(data, keyEnd + 3);
        int translatedEnd = indexOf(data, languageEnd + 1);
        byte[] value;
        if (compressed) {
            value = inflate(data, translatedEnd + 1, budget);
        } else {
            budget.spend(data.length - translatedEnd - 1);
            value = Arrays.copyOfRange(data, translatedEnd + 1, data.length);
        }
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

    /** Inflates no further than the budget allows, so a zip bomb is refused after reading one byte too many. */
    private static byte[] inflate(byte[] data, int from, TextBudget budget) throws IOException {
        try (InflaterInputStream in = new InflaterInputStream(
                new ByteArrayInputStream(data, from, data.length - from), new Inflater())) {
            byte[] text = in.readNBytes(budget.left() + 1);
            budget.spend(text.length);
            return text;
        }
    }

    /** Bytes of text a PNG may still hold. */
    private static final class TextBudget {
        private final int limit;
        private long spent;

        TextBudget(int limit) {
            this.limit = limit;
        }

        int left() {
            return (int) Math.max(0, limit - spent);
        }

        void spend(long bytes) {
            spent += bytes;
            if (spent > limit) {
                throw new IllegalArgumentException("its text chunks hold more than " + limit + " bytes of text");
            }
        }
    }
}
