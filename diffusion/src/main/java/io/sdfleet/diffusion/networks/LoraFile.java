package io.sdfleet.diffusion.networks;

import io.sdfleet.diffusion.checkpoint.CheckpointFiles;
import io.sdfleet.diffusion.checkpoint.StoredTensor;
import io.sdfleet.diffusion.checkpoint.TensorSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A kohya LoRA file read into its modules. Keys are {@code <module>.lora_down.weight}, {@code <module>.lora_up.weight}
 * and {@code <module>.alpha}; modules of other kinds (LyCORIS LoHa/LoKr, DoRA scales, mid weights) are reported in
 * {@link #unsupported()} rather than applied half-way. Closing releases the file.
 */
final class LoraFile implements AutoCloseable {

    private static final String DOWN = ".lora_down.weight";
    private static final String UP = ".lora_up.weight";
    private static final String ALPHA = ".alpha";

    private final TensorSource source;
    private final List<LoraModule> modules;
    private final Set<String> unsupported;

    private LoraFile(TensorSource source, List<LoraModule> modules, Set<String> unsupported) {
        this.source = source;
        this.modules = modules;
        this.unsupported = unsupported;
    }

    public static LoraFile open(Path file) {
        TensorSource source = CheckpointFiles.open(file);
        try {
            Map<String, List<String>> suffixesByModule = new TreeMap<>();
            for (String key : source.keys()) {
                int dot = key.indexOf('.');
                String module = dot < 0 ? key : key.substring(0, dot);
                suffixesByModule.computeIfAbsent(module, k -> new ArrayList<>()).add(dot < 0 ? "" : key.substring(dot));
            }
            List<LoraModule> modules = new ArrayList<>();
            Set<String> unsupported = new TreeSet<>();
            suffixesByModule.forEach((module, suffixes) -> {
                boolean plainLora = suffixes.contains(DOWN) && suffixes.contains(UP)
                        && suffixes.stream().allMatch(s -> s.equals(DOWN) || s.equals(UP) || s.equals(ALPHA));
                if (!plainLora) {
                    unsupported.add(module);
                    return;
                }
                OptionalDouble alpha = suffixes.contains(ALPHA)
                        ? OptionalDouble.of(source.get(module + ALPHA).toFloats()[0]) : OptionalDouble.empty();
                modules.add(new LoraModule(module, source.get(module + DOWN), source.get(module + UP), alpha));
            });
            return new LoraFile(source, List.copyOf(modules), Set.copyOf(unsupported));
        } catch (RuntimeException e) {
            source.close();
            throw e;
        }
    }

    public List<LoraModule> modules() {
        return modules;
    }

    /** Modules whose keys are not plain LoRA down/up/alpha. */
    public Set<String> unsupported() {
        return unsupported;
    }

    @Override
    public void close() {
        source.close();
    }
}
