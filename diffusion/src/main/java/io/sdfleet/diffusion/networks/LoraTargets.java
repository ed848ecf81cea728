package io.sdfleet.diffusion.networks;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Finds the checkpoint weight a kohya module name refers to, among the keys of a loaded model. */
final class LoraTargets {

    private static final String WEIGHT = ".weight";

    private final Map<String, String> weightKeyByKohyaName = new HashMap<>();

    public LoraTargets(Iterable<String> checkpointKeys) {
        for (String key : checkpointKeys) {
            if (key.endsWith(WEIGHT)) {
                for (String name : KohyaNames.of(key.substring(0, key.length() - WEIGHT.length()))) {
                    weightKeyByKohyaName.putIfAbsent(name, key);
                }
            }
        }
    }

    /** The checkpoint key of the weight ({@code ....weight}) that module {@code kohyaName} updates. */
    public Optional<String> weightKey(String kohyaName) {
        return Optional.ofNullable(weightKeyByKohyaName.get(kohyaName));
    }
}
