package io.sdfleet.gateway.a1111;

import io.sdfleet.request.UpscalerNames;
import io.sdfleet.request.UpscalerNames.Family;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The upscalers this fleet has, as A1111's {@code shared.sd_upscalers} lists them: "None", "Lanczos" and "Nearest"
 * first, then the model upscalers whose files the fleet has (registry or local models folder: every ESRGAN file, and
 * each Real-ESRGAN upscaler whose released file is there), sorted by lower-cased name. Each entry carries what A1111's
 * {@code UpscalerData} holds: {@code model_name} (the ESRGAN class's "ESRGAN_4x" for every ESRGAN file, null
 * otherwise), {@code data_path} (the ESRGAN file; a Real-ESRGAN upscaler's release URL, which A1111 keeps there even
 * when the local file is used) and the scale it is listed with.
 */
final class FleetUpscalers {

    /** One upscaler as A1111 lists it. */
    record Item(String name, String modelName, String dataPath, double scale, Family family) {
    }

    private FleetUpscalers() {
    }

    static List<Item> all(ModelCatalog models) {
        List<Item> out = new ArrayList<>();
        for (String name : UpscalerNames.BUILT_IN) {
            out.add(new Item(name, null, null, 4, null));
        }
        Map<String, Item> byName = new LinkedHashMap<>();
        for (ModelCatalog.Model m : models.of(Family.ESRGAN.kind())) {
            UpscalerNames.nameOf(Family.ESRGAN, m.name()).ifPresent(name -> byName.putIfAbsent(name,
                    new Item(name, UpscalerNames.ESRGAN_MODEL_NAME, m.filename(), UpscalerNames.ESRGAN_LISTED_SCALE,
                            Family.ESRGAN)));
        }
        for (UpscalerNames.RealEsrgan r : realEsrgan(models)) {
            byName.putIfAbsent(r.name(), new Item(r.name(), null, r.url(), r.scale(), Family.REAL_ESRGAN));
        }
        List<Item> listed = new ArrayList<>(byName.values());
        listed.sort(Comparator.comparing(i -> i.name().toLowerCase(Locale.ROOT)));
        out.addAll(listed);
        return out;
    }

    /** The Real-ESRGAN upscalers whose released file the fleet has, in A1111's order. */
    static List<UpscalerNames.RealEsrgan> realEsrgan(ModelCatalog models) {
        List<String> present = new ArrayList<>();
        for (ModelCatalog.Model m : models.of(Family.REAL_ESRGAN.kind())) {
            UpscalerNames.nameOf(Family.REAL_ESRGAN, m.name()).ifPresent(present::add);
        }
        return UpscalerNames.REAL_ESRGAN.stream().filter(r -> present.contains(r.name())).toList();
    }

    /**
     * The upscaler {@code requested} names, as listed (A1111 compares names exactly; a different case is taken when
     * it is unambiguous); empty when the fleet has none by that name.
     */
    static Optional<String> find(ModelCatalog models, String requested) {
        String name = requested.trim();
        List<Item> all = all(models);
        for (Item i : all) {
            if (i.name().equals(name)) {
                return Optional.of(i.name());
            }
        }
        List<Item> folded = all.stream().filter(i -> i.name().equalsIgnoreCase(name)).toList();
        return folded.size() == 1 ? Optional.of(folded.getFirst().name()) : Optional.empty();
    }
}
