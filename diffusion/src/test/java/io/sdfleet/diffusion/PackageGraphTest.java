package io.sdfleet.diffusion;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine's packages form a layered graph: no package reaches, through the packages it uses, back to itself. A
 * package uses another when one of its main source files names a type there (import, static import or a qualified
 * name, javadoc links included: those are dependencies a reader follows too).
 */
class PackageGraphTest {

    private static final Path SOURCES = Path.of("src/main/java/io/sdfleet/diffusion");
    private static final Pattern REFERENCE = Pattern.compile("io\\.sdfleet\\.diffusion\\.(\\w+)\\.[A-Za-z]");
    private static final Pattern PACKAGE_LINE = Pattern.compile("^package [\\w.]+;", Pattern.MULTILINE);

    @Test
    void noPackageCycle() {
        Map<String, Set<String>> graph = graph();
        System.out.println("diffusion package graph (package -> packages it uses):");
        graph.forEach((pkg, uses) -> System.out.println("  " + pkg + " -> " + String.join(", ", uses)));

        List<List<String>> cycles = new ArrayList<>();
        for (String pkg : graph.keySet()) {
            List<String> cycle = pathBack(graph, pkg);
            if (cycle != null) {
                cycles.add(cycle);
            }
        }
        assertThat(cycles).as("package cycles (each: a package, the packages it goes through, itself again)").isEmpty();
    }

    /** package → the other engine packages its main sources name. */
    static Map<String, Set<String>> graph() {
        Map<String, Set<String>> graph = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String pkg = SOURCES.relativize(file.getParent()).toString().replace('/', '.');
                Set<String> uses = graph.computeIfAbsent(pkg, k -> new TreeSet<>());
                String source = PACKAGE_LINE.matcher(Files.readString(file)).replaceFirst("");
                Matcher m = REFERENCE.matcher(source);
                while (m.find()) {
                    if (!m.group(1).equals(pkg)) {
                        uses.add(m.group(1));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return graph;
    }

    /** The shortest way from {@code start} through the graph back to itself, or null when there is none. */
    private static List<String> pathBack(Map<String, Set<String>> graph, String start) {
        Map<String, String> cameFrom = new TreeMap<>();
        List<String> frontier = new ArrayList<>(List.of(start));
        while (!frontier.isEmpty()) {
            List<String> next = new ArrayList<>();
            for (String pkg : frontier) {
                for (String used : graph.getOrDefault(pkg, Set.of())) {
                    if (used.equals(start)) {
                        List<String> cycle = new ArrayList<>(List.of(start));
                        for (String p = pkg; !p.equals(start); p = cameFrom.get(p)) {
                            cycle.add(1, p);
                        }
                        cycle.add(start);
                        return cycle;
                    }
                    if (!cameFrom.containsKey(used)) {
                        cameFrom.put(used, pkg);
                        next.add(used);
                    }
                }
            }
            frontier = next;
        }
        return null;
    }
}
