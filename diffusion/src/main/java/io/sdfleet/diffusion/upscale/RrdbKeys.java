package io.sdfleet.diffusion.upscale;

import io.sdfleet.diffusion.checkpoint.CheckpointException;
import io.sdfleet.diffusion.checkpoint.StoredTensor;
import io.sdfleet.diffusion.checkpoint.TensorSource;
import io.sdfleet.diffusion.checkpoint.UnwrappedWeights;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An RRDB checkpoint seen in ESRGAN's old-arch key layout ({@code model.0 … model.1.sub.N.RDBk.convJ.0 … model.10}),
 * whichever layout the file uses: Real-ESRGAN's BasicSR names ({@code conv_first}, {@code body.N.rdbK.convJ},
 * {@code conv_body}, {@code conv_upI}, {@code conv_hr}, {@code conv_last}), usually under {@code params_ema}, are
 * renamed as spandrel does. Old-arch files (ESRGAN_4x, 4x-UltraSharp) pass through unchanged.
 */
final class RrdbKeys implements TensorSource {

    private static final Pattern BODY = Pattern.compile("body\\.(\\d+)\\.rdb(\\d)\\.conv(\\d)\\.(weight|bias)");
    private static final Pattern UP = Pattern.compile("conv_up(\\d)\\.(weight|bias)");

    private final TensorSource file;
    private final Map<String, String> oldToStored;

    private RrdbKeys(TensorSource file, Map<String, String> oldToStored) {
        this.file = file;
        this.oldToStored = oldToStored;
    }

    /**
     * {@code file}'s tensors under old-arch names, the {@code params_ema} / {@code params} wrapper removed: a
     * torch.save file keeps it as a nested dict, a converted .safetensors as a key prefix.
     */
    static RrdbKeys of(TensorSource file) {
        UnwrappedWeights unwrapped = UnwrappedWeights.of(file);
        Map<String, String> stored = new LinkedHashMap<>();
        for (String key : unwrapped.keys()) {
            stored.put(key, key);
        }
        return new RrdbKeys(unwrapped, oldArch(stored));
    }

    private static Map<String, String> oldArch(Map<String, String> stored) {
        if (!stored.containsKey("conv_first.weight")) {
            if (!stored.containsKey("model.0.weight")) {
                throw new CheckpointException("not an ESRGAN/Real-ESRGAN RRDB file: neither model.0.weight nor "
                        + "conv_first.weight");
            }
            return stored;
        }
        return renamed(stored);
    }

    /** BasicSR → old arch: the upsampling convs sit at 3, 6, 9 …, then the HR conv and the last conv two apart. */
    private static Map<String, String> renamed(Map<String, String> basicSr) {
        int blocks = 0;
        int ups = 0;
        for (String key : basicSr.keySet()) {
            Matcher body = BODY.matcher(key);
            if (body.matches()) {
                blocks = Math.max(blocks, Integer.parseInt(body.group(1)) + 1);
            }
            Matcher up = UP.matcher(key);
            if (up.matches()) {
                ups = Math.max(ups, Integer.parseInt(up.group(1)));
            }
        }
        Map<String, String> old = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : basicSr.entrySet()) {
            String key = e.getKey();
            String name = key.substring(key.lastIndexOf('.') + 1);
            String stem = key.substring(0, key.lastIndexOf('.'));
            Matcher body = BODY.matcher(key);
            Matcher up = UP.matcher(key);
            String renamed;
            if (body.matches()) {
                renamed = "model.1.sub." + body.group(1) + ".RDB" + body.group(2) + ".conv" + body.group(3) + ".0."
                        + body.group(4);
            } else if (up.matches()) {
                renamed = "model." + (3 * Integer.parseInt(up.group(1))) + "." + up.group(2);
            } else {
                renamed = switch (stem) {
                    case "conv_first" -> "model.0." + name;
                    case "conv_body" -> "model.1.sub." + blocks + "." + name;
                    case "conv_hr" -> "model." + (3 * ups + 2) + "." + name;
                    case "conv_last" -> "model." + (3 * ups + 4) + "." + name;
                    default -> throw new CheckpointException("unexpected key in a Real-ESRGAN file: " + key);
                };
            }
            old.put(renamed, e.getValue());
        }
        return old;
    }

    @Override
    public Set<String> keys() {
        return oldToStored.keySet();
    }

    @Override
    public StoredTensor get(String key) {
        String stored = oldToStored.get(key);
        if (stored == null) {
            throw new CheckpointException("no tensor " + key + " in this RRDB file");
        }
        return file.get(stored);
    }

    @Override
    public void close() {
        file.close();
    }
}
