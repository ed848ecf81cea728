package io.sdfleet.gateway.a1111;

import io.sdfleet.diffusion.checkpoint.CheckpointFiles;
import io.sdfleet.diffusion.checkpoint.TensorSource;
import io.sdfleet.gateway.models.ModelRegistry;
import io.sdfleet.request.ModelArchitecture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Each checkpoint's family ({@link ModelArchitecture}), read from its tensor names and never from its tensors: a
 * {@code .safetensors} file's JSON header (the first 8 + n bytes; a registered file's are streamed from storage and
 * the rest left unread), a local torch zip's pickle, a diffusers folder's subfolders. A registered {@code .ckpt}
 * (its pickle sits behind the zip's entries; fetching it is no cheap read) and anything unreadable are judged by
 * name ({@link ModelArchitecture#ofName}: SD 1.x unless the name says XL). Local files are remembered by path, size
 * and modification time, registered ones by sha256; a registered file storage cannot give now is judged by name
 * and asked again next time.
 */
final class CheckpointArchitectures {

    private static final Logger log = LoggerFactory.getLogger(CheckpointArchitectures.class);
    /** safetensors' own limit on its header. */
    static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    private final ModelRegistry registry;
    private final JsonMapper json = JsonMapper.builder().build();
    private final Map<String, ModelArchitecture> known = new ConcurrentHashMap<>();

    CheckpointArchitectures(ModelRegistry registry) {
        this.registry = registry;
    }

    ModelArchitecture of(ModelCatalog.Model model) {
        if (model.localPath() != null) {
            Path file = model.localPath();
            String key;
            try {
                key = file.toAbsolutePath().normalize() + "|" + Files.size(file) + "|" + Files.getLastModifiedTime(file).toMillis();
            } catch (IOException e) {
                return ModelArchitecture.ofName(model.name());
            }
            return known.computeIfAbsent(key, k -> local(file, model.name()));
        }
        if (model.sha256() == null || !model.name().toLowerCase(Locale.ROOT).endsWith(".safetensors")) {
            return ModelArchitecture.ofName(model.name());
        }
        String key = "sha256:" + model.sha256();
        ModelArchitecture cached = known.get(key);
        if (cached != null) {
            return cached;
        }
        Optional<ModelArchitecture> read = registered(model);
        read.ifPresent(a -> known.put(key, a));
        return read.orElseGet(() -> ModelArchitecture.ofName(model.name()));
    }

    private ModelArchitecture local(Path file, String name) {
        if (Files.isDirectory(file)) {
            try (Stream<Path> children = Files.list(file)) {
                return ModelArchitecture.ofDiffusersFolders(children.filter(Files::isDirectory)
                        .map(p -> p.getFileName().toString()).toList());
            } catch (IOException e) {
                return ModelArchitecture.ofName(name);
            }
        }
        try {
            if (CheckpointFiles.formatOf(file) == CheckpointFiles.Format.SAFETENSORS) {
                try (InputStream in = Files.newInputStream(file)) {
                    return ModelArchitecture.ofKeys(safetensorsKeys(in));
                }
            }
            try (TensorSource source = CheckpointFiles.open(file)) { // a torch file: its pickle, not its storages
                return ModelArchitecture.ofKeys(source.keys());
            }
        } catch (IOException | RuntimeException e) {
            log.warn("checkpoint {}: keys not readable ({}); its type is judged by name", name, e.getMessage());
            return ModelArchitecture.ofName(name);
        }
    }

    /** Empty when storage cannot give the header now (not remembered). */
    private Optional<ModelArchitecture> registered(ModelCatalog.Model model) {
        try {
            return registry.readHead(model.sha256(), in -> ModelArchitecture.ofKeys(safetensorsKeys(in)));
        } catch (IOException | RuntimeException e) {
            log.debug("checkpoint {}: header not read from storage ({})", model.name(), e.getMessage());
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** The tensor names of a safetensors header (its top-level keys but {@code __metadata__}), read off the stream. */
    List<String> safetensorsKeys(InputStream in) throws IOException {
        byte[] lengthBytes = in.readNBytes(8);
        if (lengthBytes.length < 8) {
            throw new IOException("not a safetensors file: shorter than its header length");
        }
        long length = ByteBuffer.wrap(lengthBytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (length <= 1 || length > MAX_HEADER_BYTES) {
            throw new IOException("not a safetensors file: header length " + length);
        }
        byte[] header = in.readNBytes((int) length);
        if (header.length < length) {
            throw new IOException("not a safetensors file: header cut short");
        }
        List<String> keys = new ArrayList<>();
        try (JsonParser parser = json.createParser(header)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("not a safetensors file: the header is no JSON object");
            }
            while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
                String key = parser.currentName();
                parser.nextToken();
                parser.skipChildren();
                if (!key.equals("__metadata__")) {
                    keys.add(key);
                }
            }
        }
        return keys;
    }
}
