package io.sdfleet.diffusion.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The central directory of a zip file, read by hand so that each entry's data offset is known: torch.save writes
 * its entries STORED (uncompressed), so a tensor's bytes can be memory-mapped straight from the file instead of
 * being inflated into the heap. Handles ZIP64, which every checkpoint above 4 GB uses.
 */
final class ZipDirectory {

    static final int STORED = 0;

    /** One entry: its compression method, sizes and where its local header starts. */
    record Entry(String name, int method, long compressedSize, long size, long localHeaderOffset) {
    }

    private static final int EOCD = 0x06054b50;
    private static final int ZIP64_LOCATOR = 0x07064b50;
    private static final int ZIP64_EOCD = 0x06064b50;
    private static final int CENTRAL = 0x02014b50;
    private static final int LOCAL = 0x04034b50;

    private ZipDirectory() {
    }

    static Map<String, Entry> read(FileChannel channel, String source) throws IOException {
        long size = channel.size();
        int tailLength = (int) Math.min(size, 22 + 65535 + 20);
        ByteBuffer tail = readAt(channel, size - tailLength, tailLength);
        int eocd = -1;
        for (int i = tailLength - 22; i >= 0; i--) {
            if (tail.getInt(i) == EOCD) {
                eocd = i;
                break;
            }
        }
        if (eocd < 0) {
            throw new CheckpointException(source + " is not a valid zip file: no end of central directory");
        }
        long entries = tail.getShort(eocd + 10) & 0xFFFF;
        long directorySize = tail.getInt(eocd + 12) & 0xFFFFFFFFL;
        long directoryOffset = tail.getInt(eocd + 16) & 0xFFFFFFFFL;
        if (eocd >= 20 && tail.getInt(eocd - 20) == ZIP64_LOCATOR) {
            long zip64Offset = tail.getLong(eocd - 20 + 8);
            ByteBuffer z = readAt(channel, zip64Offset, 56);
            if (z.getInt(0) != ZIP64_EOCD) {
                throw new CheckpointException(source + ": broken ZIP64 end of central directory");
            }
            entries = z.getLong(32);
            directorySize = z.getLong(40);
            directoryOffset = z.getLong(48);
        }
        ByteBuffer dir = readAt(channel, directoryOffset, Math.toIntExact(directorySize));
        Map<String, Entry> out = new LinkedHashMap<>();
        int p = 0;
        for (long n = 0; n < entries; n++) {
            if (dir.getInt(p) != CENTRAL) {
                throw new CheckpointException(source + ": broken zip central directory at entry " + n);
            }
            int method = dir.getShort(p + 10) & 0xFFFF;
            long compressed = dir.getInt(p + 20) & 0xFFFFFFFFL;
            long uncompressed = dir.getInt(p + 24) & 0xFFFFFFFFL;
            int nameLength = dir.getShort(p + 28) & 0xFFFF;
            int extraLength = dir.getShort(p + 30) & 0xFFFF;
            int commentLength = dir.getShort(p + 32) & 0xFFFF;
            long local = dir.getInt(p + 42) & 0xFFFFFFFFL;
            byte[] nameBytes = new byte[nameLength];
            dir.get(p + 46, nameBytes);
            // ZIP64 extra field: the 64-bit values follow in this order, only for fields saturated at 0xFFFFFFFF.
            int e = p + 46 + nameLength;
            int extraEnd = e + extraLength;
            while (e + 4 <= extraEnd) {
                int id = dir.getShort(e) & 0xFFFF;
                int length = dir.getShort(e + 2) & 0xFFFF;
                if (id == 0x0001) {
                    int q = e + 4;
                    if (uncompressed == 0xFFFFFFFFL) {
                        uncompressed = dir.getLong(q);
                        q += 8;
                    }
                    if (compressed == 0xFFFFFFFFL) {
                        compressed = dir.getLong(q);
                        q += 8;
                    }
                    if (local == 0xFFFFFFFFL) {
                        local = dir.getLong(q);
                    }
                }
                e += 4 + length;
            }
            String name = new String(nameBytes, StandardCharsets.UTF_8);
            out.put(name, new Entry(name, method, compressed, uncompressed, local));
            p += 46 + nameLength + extraLength + commentLength;
        }
        return out;
    }

    /** Where an entry's data begins: after its local header, whose extra field (torch pads with it) may differ. */
    static long dataOffset(FileChannel channel, Entry entry, String source) throws IOException {
        ByteBuffer local = readAt(channel, entry.localHeaderOffset(), 30);
        if (local.getInt(0) != LOCAL) {
            throw new CheckpointException(source + ": broken zip local header for " + entry.name());
        }
        int nameLength = local.getShort(26) & 0xFFFF;
        int extraLength = local.getShort(28) & 0xFFFF;
        return entry.localHeaderOffset() + 30 + nameLength + extraLength;
    }

    static ByteBuffer readAt(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (channel.read(b, position + b.position()) < 0) {
                throw new IOException("unexpected end of file at " + (position + b.position()));
            }
        }
        return b.flip();
    }
}
