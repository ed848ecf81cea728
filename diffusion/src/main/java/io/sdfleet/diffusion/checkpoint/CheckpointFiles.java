package io.sdfleet.diffusion.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Opens any Stable Diffusion checkpoint as a {@link TensorSource} in the LDM key layout: a .safetensors file, a
 * torch.save file (.ckpt, .pt, .pth, .bin; zip or legacy), or a diffusers pipeline folder. Files are told apart by
 * their first bytes, not their extension, since .bin and .ckpt are used for both torch formats.
 */
public final class CheckpointFiles {

    private CheckpointFiles() {
    }

    public static TensorSource open(Path path) {
        if (Files.isDirectory(path)) {
            if (DiffusersFolder.looksLike(path)) {
                return DiffusersFolder.open(path);
            }
            throw new CheckpointException(path + " is a folder without diffusers unet/, vae/ or text_encoder/ weights");
        }
        return openFile(path);
    }

    /** What a single checkpoint file holds, judged by its first bytes. */
    public enum Format { SAFETENSORS, TORCH_ZIP, TORCH_LEGACY }

    public static Format formatOf(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer head = ZipDirectory.readAt(channel, 0, (int) Math.min(9, channel.size()));
            if (head.remaining() >= 4 && head.getInt(0) == 0x04034b50) {
                return Format.TORCH_ZIP;
            }
            if (head.remaining() >= 3 && (head.get(0) & 0xFF) == 0x80 && (head.get(2) & 0xFF) == 0x8a) {
                return Format.TORCH_LEGACY;
            }
            // safetensors: an 8-byte header length, then the JSON header.
            if (head.remaining() == 9 && head.getLong(0) > 0 && head.getLong(0) < channel.size() && head.get(8) == '{') {
                return Format.SAFETENSORS;
            }
            throw new CheckpointException(file + " is not a checkpoint this engine reads: expected safetensors,"
                    + " a torch zip (.ckpt/.pt/.pth/.bin) or a legacy torch pickle");
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The first checkpoint file (.safetensors or .ckpt) by name in {@code folder}, the default model when none is
     * named; empty when there is none or the folder cannot be read.
     */
    public static Optional<String> firstIn(Path folder) {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".safetensors") || n.endsWith(".ckpt")).sorted().findFirst();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    static TensorSource openFile(Path file) {
        return switch (formatOf(file)) {
            case SAFETENSORS -> SafetensorsFile.open(file);
            case TORCH_ZIP, TORCH_LEGACY -> TorchCheckpoint.open(file);
        };
    }
}
