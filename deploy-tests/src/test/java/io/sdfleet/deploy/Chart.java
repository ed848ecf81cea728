package io.sdfleet.deploy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/** The chart in helm/sdfleet, linted and rendered through helm-java (Helm's own code, bundled as a native library). */
final class Chart {

    static final String RELEASE = "fleet";
    static final String NAMESPACE = "sd";
    /** The prefix of every object's name: release name + chart name. */
    static final String FULLNAME = RELEASE + "-sdfleet";

    static {
        // Before helm-java's native library loads: it reads KUBECONFIG once, when it starts.
        FakeKubeApi.start();
    }

    private Chart() {
    }

    static Path dir() {
        String configured = System.getProperty("sdfleet.chart");
        if (configured != null && Files.isDirectory(Path.of(configured))) return Path.of(configured);
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("helm/sdfleet/Chart.yaml"))) return p.resolve("helm/sdfleet");
        }
        throw new IllegalStateException("helm/sdfleet not found (set -Dsdfleet.chart)");
    }

    static LintResult lint() {
        return new Helm(dir()).lint().strict().call();
    }

    /** Lints a copy of the chart whose values.yaml has the overrides merged in (lint takes no values file). */
    static LintResult lintWith(Map<String, Object> overrides, Path workDir) {
        Path copy = workDir.resolve("sdfleet");
        copyTree(dir(), copy);
        Map<String, Object> values = load(dir().resolve("values.yaml"));
        merge(values, overrides);
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        write(copy.resolve("values.yaml"), new Yaml(options).dump(values));
        return new Helm(copy).lint().strict().call();
    }

    /** {@code helm template} with the chart's default values plus these overrides (a values file). */
    static Rendered template(Map<String, Object> overrides, Path workDir) {
        Path valuesFile = workDir.resolve("values-" + System.nanoTime() + ".yaml");
        write(valuesFile, new Yaml().dump(overrides));
        String manifests = new Helm(dir()).template()
                .withName(RELEASE)
                .withNamespace(NAMESPACE)
                .withValuesFile(valuesFile)
                .call();
        return Rendered.parse(manifests);
    }

    /** A nested map from alternating dotted keys and values: values("a.b", 1, "a.c", "x"). */
    static Map<String, Object> values(Object... keysAndValues) {
        Map<String, Object> root = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            String[] path = ((String) keysAndValues[i]).split("\\.");
            Map<String, Object> node = root;
            for (int j = 0; j < path.length - 1; j++) {
                @SuppressWarnings("unchecked")
                Map<String, Object> next = (Map<String, Object>) node.computeIfAbsent(path[j], k -> new LinkedHashMap<>());
                node = next;
            }
            node.put(path[path.length - 1], keysAndValues[i + 1]);
        }
        return root;
    }

    @SuppressWarnings("unchecked")
    private static void merge(Map<String, Object> target, Map<String, Object> overrides) {
        overrides.forEach((key, value) -> {
            if (value instanceof Map<?, ?> m && target.get(key) instanceof Map<?, ?> t) {
                merge((Map<String, Object>) t, (Map<String, Object>) m);
            } else {
                target.put(key, value);
            }
        });
    }

    private static Map<String, Object> load(Path file) {
        try {
            return new Yaml(new LoaderOptions()).load(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void copyTree(Path from, Path to) {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) Files.createDirectories(target);
                else Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The rendered objects, each a YAML map. */
    record Rendered(List<Map<String, Object>> objects) {

        static Rendered parse(String manifests) {
            List<Map<String, Object>> objects = new ArrayList<>();
            for (Object doc : new Yaml().loadAll(manifests)) {
                if (doc instanceof Map<?, ?>) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> object = (Map<String, Object>) doc;
                    objects.add(object);
                }
            }
            return new Rendered(objects);
        }

        List<Map<String, Object>> ofKind(String kind) {
            return objects.stream().filter(o -> kind.equals(o.get("kind"))).toList();
        }

        List<String> names(String kind) {
            return ofKind(kind).stream().map(o -> (String) at(o, "metadata.name")).toList();
        }

        Map<String, Object> get(String kind, String name) {
            return ofKind(kind).stream().filter(o -> name.equals(at(o, "metadata.name"))).findFirst()
                    .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " among " + names(kind)));
        }

        /** The one container of a Deployment or StatefulSet. */
        Map<String, Object> container(String kind, String name) {
            List<Map<String, Object>> containers = at(get(kind, name), "spec.template.spec.containers");
            if (containers.size() != 1) throw new AssertionError(kind + " " + name + " has " + containers.size() + " containers");
            return containers.get(0);
        }

        /** A container's environment variables by name (each the EnvVar map). */
        static Map<String, Map<String, Object>> env(Map<String, Object> container) {
            Map<String, Map<String, Object>> env = new LinkedHashMap<>();
            List<Map<String, Object>> list = at(container, "env");
            for (Map<String, Object> e : list) {
                if (env.put((String) e.get("name"), e) != null) throw new AssertionError("duplicate env " + e.get("name"));
            }
            return env;
        }
    }

    /** The value at a dotted path of nested maps (list items by index: "containers.0.name"), or null. */
    @SuppressWarnings("unchecked")
    static <T> T at(Object root, String path) {
        Object node = root;
        for (String key : path.split("\\.")) {
            if (node instanceof Map<?, ?> m) node = m.get(key);
            else if (node instanceof List<?> l && key.chars().allMatch(Character::isDigit)) {
                int i = Integer.parseInt(key);
                node = i < l.size() ? l.get(i) : null;
            } else return null;
            if (node == null) return null;
        }
        return (T) node;
    }

    static String str(Object root, String path) {
        return Objects.toString(at(root, path), null);
    }
}
