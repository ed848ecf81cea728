package io.sdfleet.diffusion.networks;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Finds the checkpoint weight a kohya module name refers to, among the keys of a loaded model. */
final class LoraTargets {

    private static final String WEIGHT = ".weight";

    private final Map<String, LoraTarget> targetByKohyaName = new HashMap<>();

    public LoraTargets(Iterable<String> checkpointKeys) {
        for (String key : checkpointKeys) {
            if (key.endsWith(WEIGHT)) {
                for (String name : KohyaNames.of(key.substring(0, key.length() - WEIGHT.length()))) {
                    targetByKohyaName.putIfAbsent(name, LoraTarget.whole(key, KohyaNames.appliedTogether(name)));
                }
            } else if (key.endsWith(KohyaNames.STACKED_PROJECTION)) {
                List<String> names = KohyaNames.ofStackedProjection(
                        key.substring(0, key.length() - KohyaNames.STACKED_PROJECTION.length()));
                for (int part = 0; part < names.size(); part++) {
                    String name = names.get(part);
                    targetByKohyaName.putIfAbsent(name,
                            new LoraTarget(key, part, names.size(), KohyaNames.appliedTogether(name)));
                }
            }
        }
    }

    /** Where module {@code kohyaName} goes. */
    public Optional<LoraTarget> target(String kohyaName) {
        return Optional.ofNullable(targetByKohyaName.get(kohyaName));
    }

    /** The checkpoint key of the weight ({@code ....weight}) that module {@code kohyaName} updates. */
    public Optional<String> weightKey(String kohyaName) {
        return target(kohyaName).map(LoraTarget::weightKey);
    }
}
