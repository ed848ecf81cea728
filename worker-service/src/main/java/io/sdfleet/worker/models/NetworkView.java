package io.sdfleet.worker.models;

import io.sdfleet.diffusion.networks.NetworkDirectories;
import io.sdfleet.diffusion.networks.NetworkLibrary;

import io.sdfleet.storageclient.RegisteredModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The extra networks one job sees. A prompt's {@code <lora:name:w>}, {@code <hypernet:name:w>} and embedding words
 * that the local models folder lacks but the fleet's registry has are pulled (verified) into the model cache; the
 * engine, which reads one folder per kind, then gets a per-job folder of links: the local files under
 * {@code local/} (they win on a name clash, being first in path order) and the pulled ones under {@code pulled/}.
 * When nothing had to be pulled the job uses the local folders directly, exactly as before.
 */
public final class NetworkView implements AutoCloseable {

    private static final Pattern LORA = Pattern.compile("<lora:([^:>]+)");
    private static final Pattern HYPERNET = Pattern.compile("<hypernet:([^:>]+)");

    private final NetworkDirectories directories;
    private final Path view;

    private NetworkView(NetworkDirectories directories, Path view) {
        this.directories = directories;
        this.view = view;
    }

    public static NetworkView prepare(Path modelsDir, ModelPuller puller, String jobId, List<String> prompts) {
        NetworkDirectories local = NetworkDirectories.under(modelsDir);
        Map<String, List<Path>> pulled = new LinkedHashMap<>();
        pulled.put("lora", pullMissing(puller, "lora", names(LORA, prompts), NetworkLibrary.loras(local.loras())));
        pulled.put("hypernetwork", pullMissing(puller, "hypernetwork", names(HYPERNET, prompts),
                NetworkLibrary.hypernetworks(local.hypernetworks())));
        pulled.put("embedding", pullEmbeddings(puller, prompts, NetworkLibrary.embeddings(local.embeddings())));
        if (pulled.values().stream().allMatch(List::isEmpty)) {
            return new NetworkView(local, null);
        }
        Path view = puller.directory().resolve(".view").resolve(jobId.replaceAll("[^A-Za-z0-9_-]", "_") + "-"
                + UUID.randomUUID().toString().substring(0, 8));
        try {
            Optional<Path> loras = merged(view.resolve("Lora"), local.loras(), pulled.get("lora"));
            Optional<Path> embeddings = merged(view.resolve("embeddings"), local.embeddings(), pulled.get("embedding"));
            Optional<Path> hypernetworks = merged(view.resolve("hypernetworks"), local.hypernetworks(),
                    pulled.get("hypernetwork"));
            return new NetworkView(new NetworkDirectories(loras, embeddings, hypernetworks), view);
        } catch (IOException e) {
            delete(view);
            throw new UncheckedIOException("cannot prepare the networks of job " + jobId + ": " + e.getMessage(), e);
        }
    }

    public NetworkDirectories directories() {
        return directories;
    }

    @Override
    public void close() {
        if (view != null) {
            delete(view);
        }
    }

    static List<String> names(Pattern pattern, List<String> prompts) {
        List<String> out = new ArrayList<>();
        for (String prompt : prompts) {
            Matcher m = pattern.matcher(prompt);
            while (m.find()) {
                String name = m.group(1).trim();
                if (!name.isEmpty() && !out.contains(name)) {
                    out.add(name);
                }
            }
        }
        return out;
    }

    private static List<Path> pullMissing(ModelPuller puller, String kind, List<String> names, NetworkLibrary local) {
        List<Path> out = new ArrayList<>();
        if (names.isEmpty()) {
            return out;
        }
        Map<String, Path> present = local.files();
        for (String name : names) {
            if (!present.containsKey(name)) {
                puller.find(kind, name).map(puller::pull).ifPresent(out::add);
            }
        }
        return out;
    }

    /** Registered embeddings named as a word in a prompt and missing locally (A1111 matches them as tokens). */
    private static List<Path> pullEmbeddings(ModelPuller puller, List<String> prompts, NetworkLibrary local) {
        List<Path> out = new ArrayList<>();
        List<RegisteredModel> registered = puller.list("embedding");
        if (registered.isEmpty()) {
            return out;
        }
        Map<String, Path> present = local.files();
        for (RegisteredModel e : registered) {
            Pattern word = Pattern.compile("(?<![\\w-])" + Pattern.quote(e.stem()) + "(?![\\w-])");
            if (!present.containsKey(e.stem()) && prompts.stream().anyMatch(p -> word.matcher(p).find())) {
                out.add(puller.pull(e));
            }
        }
        return out;
    }

    private static Optional<Path> merged(Path target, Optional<Path> local, List<Path> pulled) throws IOException {
        if (pulled.isEmpty()) {
            return local;
        }
        Files.createDirectories(target.resolve("pulled"));
        if (local.isPresent() && Files.isDirectory(local.get())) {
            Path root = local.get().toAbsolutePath();
            try (Stream<Path> files = Files.walk(root)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    Path link = target.resolve("local").resolve(root.relativize(file).toString());
                    Files.createDirectories(link.getParent());
                    Files.createSymbolicLink(link, file.toAbsolutePath());
                }
            }
        }
        for (Path file : pulled) {
            Path link = target.resolve("pulled").resolve(file.getFileName().toString());
            if (!Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(link, file.toAbsolutePath());
            }
        }
        return Optional.of(target);
    }

    /** Removes the view: the links only (a walk does not follow them), never what they point at. */
    private static void delete(Path view) {
        if (!Files.exists(view, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> all = Files.walk(view)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a leftover view folder is harmless
        }
    }
}
