package io.sdfleet.diffusion.loading;

import io.sdfleet.diffusion.offload.MemoryMode;
import io.sdfleet.diffusion.offload.OffloadUnit;
import io.sdfleet.diffusion.unet.UNetModel;
import io.sdfleet.diffusion.vae.AutoencoderKL;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The offload units of a Stable Diffusion checkpoint in each {@link MemoryMode}, from its parameter keys. */
final class OffloadPlan {

    private static final Pattern UNET_BLOCK =
            Pattern.compile(Pattern.quote(UNetModel.PREFIX) + "(input_blocks\\.\\d+\\.|middle_block\\.|output_blocks\\.\\d+\\.)");

    private OffloadPlan() {
    }

    /**
     * @param keys       the full keys of every loaded parameter
     * @param clipPrefix where the CLIP text model that moves sits (SD 1.x's, SDXL's CLIP-L), or null for none
     */
    static List<OffloadUnit> units(MemoryMode mode, Collection<String> keys, String clipPrefix) {
        List<OffloadUnit> units = new ArrayList<>();
        if (clipPrefix != null) {
            units.add(new OffloadUnit(clipPrefix, false));
        }
        units.add(new OffloadUnit(AutoencoderKL.PREFIX, false));
        switch (mode) {
            case PLAIN -> {
                return List.of();
            }
            case MEDVRAM -> units.add(new OffloadUnit(UNetModel.PREFIX, false));
            case LOWVRAM -> {
                units.add(new OffloadUnit(UNetModel.PREFIX, true)); // time embedding and output head: small
                TreeSet<String> blocks = new TreeSet<>();
                for (String key : keys) {
                    Matcher m = UNET_BLOCK.matcher(key);
                    if (m.lookingAt()) {
                        blocks.add(UNetModel.PREFIX + m.group(1));
                    }
                }
                blocks.forEach(b -> units.add(new OffloadUnit(b, false)));
            }
        }
        return units;
    }
}
