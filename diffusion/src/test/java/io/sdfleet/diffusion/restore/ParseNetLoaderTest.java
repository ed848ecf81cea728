package io.sdfleet.diffusion.restore;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.sdfleet.diffusion.checkpoint.CheckpointException;
import io.sdfleet.diffusion.checkpoint.SafetensorsWriter;
import io.sdfleet.diffusion.checkpoint.StoredTensor;
import io.sdfleet.diffusion.checkpoint.TensorSource;
import io.sdfleet.diffusion.restore.parse.ParseNet;
import io.sdfleet.diffusion.runtime.Torch;
import io.sdfleet.diffusion.testing.SeededWeights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** ParseNet reads every tensor of {@code parsing_parsenet.pth} (the reference manifest) and nothing else. */
class ParseNetLoaderTest {

    @Test
    void everyManifestKeyIsRead() {
        SeededWeights weights = SeededWeights.of("parsenet");
        Set<String> read = ConcurrentHashMap.newKeySet();
        TensorSource recording = new TensorSource() {
            @Override
            public Set<String> keys() {
                return weights.keys();
            }

            @Override
            public StoredTensor get(String key) {
                read.add(key);
                return weights.get(key);
            }
        };
        try (NDManager m = Torch.newManager(Device.cpu())) {
            ParseNet net = ParseNet.load(recording, m);
            assertThat(net.encoderBlocks()).isEqualTo(4);
            assertThat(net.bodyBlocks()).isEqualTo(10);
            assertThat(net.decoderBlocks()).isEqualTo(4);
        }
        Set<String> unread = new LinkedHashSet<>(weights.keys());
        unread.removeAll(read);
        // num_batches_tracked and the unused image head are skipped on purpose, by name
        assertThat(unread).allMatch(k -> k.endsWith("num_batches_tracked") || k.startsWith("out_img_conv."));
        assertThat(weights.keys()).hasSize(238);
    }

    @Test
    void openReadsAFileByPath(@TempDir Path dir) {
        SeededWeights weights = SeededWeights.of("parsenet");
        SafetensorsWriter writer = new SafetensorsWriter();
        for (String key : weights.keys()) {
            writer.put(weights.get(key));
        }
        Path file = dir.resolve("parsing_parsenet.safetensors");
        writer.write(file);
        try (NDManager m = Torch.newManager(Device.cpu())) {
            assertThat(ParseNet.open(file, m).bodyBlocks()).isEqualTo(10);
        }
    }

    @Test
    void aKeyTheNetworkDoesNotKnowIsAnError() {
        SeededWeights weights = SeededWeights.of("parsenet");
        Set<String> keys = new LinkedHashSet<>(weights.keys());
        keys.add("encoder.9.unexpected.weight");
        TensorSource extra = new TensorSource() {
            @Override
            public Set<String> keys() {
                return keys;
            }

            @Override
            public StoredTensor get(String key) {
                return weights.get(key);
            }
        };
        try (NDManager m = Torch.newManager(Device.cpu())) {
            assertThatThrownBy(() -> ParseNet.load(extra, m)).isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("encoder.9.unexpected.weight");
        }
    }
}
