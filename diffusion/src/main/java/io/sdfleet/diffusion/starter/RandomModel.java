package io.sdfleet.diffusion.starter;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sdfleet.diffusion.checkpoint.SafetensorsWriter;
import io.sdfleet.diffusion.checkpoint.StoredType;
import io.sdfleet.diffusion.nn.Sd1Layout;
import io.sdfleet.diffusion.nn.SyntheticTensorSource;
import io.sdfleet.diffusion.tokenizer.ClipTokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A small Stable Diffusion 1.x checkpoint with random weights, and a byte-level CLIP-format tokenizer beside it, so
 * that a fresh install can run the whole pipeline before anyone downloads a real model. Its images are noise.
 *
 * <p>The tokenizer knows only single bytes (no merges): a real CLIP vocabulary cannot be shipped, and a random model
 * does not care which ids its words get.
 */
public final class RandomModel {

    public static final String FILE_NAME = "sdfleet-random-mini.safetensors";

    /** SD 1.x topology at small widths: 32-channel UNet, 32-channel VAE, 64-wide 4-layer text model. */
    static final Sd1Layout.Config MINI = new Sd1Layout.Config(32, List.of(1, 2, 4, 4), 2, List.of(0, 1, 2), 1, 64, 4,
            32, List.of(1, 2, 4, 4), 2, 2 * 256 + 2, 77, 64, 4, 256);

    private RandomModel() {
    }

    /** Writes the checkpoint and {@code tokenizer/} into {@code folder} unless present; returns the checkpoint. */
    public static Path ensure(Path folder) {
        Path checkpoint = folder.resolve(FILE_NAME);
        try {
            Files.createDirectories(folder);
            if (!Files.exists(checkpoint)) {
                Path partial = folder.resolve(FILE_NAME + ".partial");
                SafetensorsWriter writer = new SafetensorsWriter().metadata("sdfleet", "random weights; images are noise");
                SyntheticTensorSource source = new SyntheticTensorSource(Sd1Layout.tensors(MINI), StoredType.F32, 20261124L);
                for (String key : source.keys()) {
                    writer.put(source.get(key));
                }
                writer.write(partial);
                Files.move(partial, checkpoint); // a crash never leaves a half-written checkpoint under the real name
            }
            writeByteTokenizer(folder.resolve("tokenizer"));
            return checkpoint;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the starter model in " + folder, e);
        }
    }

    private static void writeByteTokenizer(Path dir) throws IOException {
        if (Files.isRegularFile(dir.resolve("vocab.json")) && Files.isRegularFile(dir.resolve("merges.txt"))) {
            return;
        }
        Files.createDirectories(dir);
        ObjectMapper json = new ObjectMapper();
        ObjectNode vocab = json.createObjectNode();
        List<String> symbols = ClipTokenizer.byteSymbols();
        int id = 0;
        for (String s : symbols) {
            vocab.put(s, id++);
        }
        for (String s : symbols) {
            vocab.put(s + "</w>", id++);
        }
        vocab.put("<|startoftext|>", id++);
        vocab.put("<|endoftext|>", id);
        Files.writeString(dir.resolve("vocab.json"), vocab.toString());
        Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\n");
    }
}
