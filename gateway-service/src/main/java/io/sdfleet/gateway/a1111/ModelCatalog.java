package io.sdfleet.gateway.a1111;

import io.sdfleet.gateway.GatewayProperties;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** The checkpoints the fleet serves: files in the models folder, by file name with or without extension. */
@Component
public class ModelCatalog {

    private final Path dir;
    private final String defaultModel;

    public ModelCatalog(GatewayProperties properties) {
        this.dir = properties.modelsDir();
        this.defaultModel = properties.defaultModel() == null || properties.defaultModel().isBlank()
                ? null : properties.defaultModel();
    }

    public String defaultModel() {
        return defaultModel;
    }

    public List<Path> all() {
        if (dir == null || !Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> {
                String n = f.getFileName().toString();
                return n.endsWith(".safetensors") || n.endsWith(".ckpt");
            }).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** VAE files in the models folder's {@code VAE/} (A1111's models/VAE), by file name. */
    public List<Path> vaes() {
        Path vaeDir = dir == null ? null : dir.resolve("VAE");
        if (vaeDir == null || !Files.isDirectory(vaeDir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(vaeDir)) {
            return files.filter(f -> {
                String n = f.getFileName().toString();
                return n.endsWith(".safetensors") || n.endsWith(".ckpt") || n.endsWith(".pt");
            }).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** A VAE by file name (with or without extension); A1111's "Automatic" and "None" mean the checkpoint's own. */
    public Optional<String> resolveVae(String requested) {
        String name = requested.trim();
        for (Path p : vaes()) {
            String file = p.getFileName().toString();
            if (file.equals(name) || file.substring(0, file.indexOf('.')).equals(name)) {
                return Optional.of(file);
            }
        }
        return Optional.empty();
    }

    /** A1111 clients send "name", "name.safetensors" or the title "name.safetensors [hash]". */
    public Optional<String> resolve(String requested) {
        String name = requested.replaceAll("\\s*\\[[0-9a-fA-F]+\\]$", "").trim();
        for (Path p : all()) {
            String file = p.getFileName().toString();
            String stem = file.substring(0, file.lastIndexOf('.'));
            if (file.equals(name) || stem.equals(name)) {
                return Optional.of(file);
            }
        }
        return Optional.empty();
    }
}
