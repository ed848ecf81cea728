package io.sdfleet.diffusion.nn;

import com.fasterxml.jackson.databind.JsonNode;
import io.sdfleet.diffusion.nn.SyntheticTensorSource.TensorSpec;
import io.sdfleet.diffusion.testing.Reference;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

class Sd1LayoutTest {

    /** The DDPM schedule buffers LDM saves beside the networks; the layout leaves them to the sampler side. */
    static final Set<String> DDPM_BUFFERS = Set.of("betas", "alphas_cumprod", "alphas_cumprod_prev",
            "sqrt_alphas_cumprod", "sqrt_one_minus_alphas_cumprod", "log_one_minus_alphas_cumprod",
            "sqrt_recip_alphas_cumprod", "sqrt_recipm1_alphas_cumprod", "posterior_variance",
            "posterior_log_variance_clipped", "posterior_mean_coef1", "posterior_mean_coef2");

    static final Sd1Layout.Config MINI = new Sd1Layout.Config(32, List.of(1, 2, 4, 4), 2, List.of(0, 1, 2), 1, 64, 4,
            32, List.of(1, 2, 4, 4), 2, 49408, 77, 64, 4, 256);

    @Test
    void generatesTheRealSd15KeysAndShapes() {
        assertThat(shapes(Sd1Layout.tensors(Sd1Layout.SD15))).isEqualTo(manifest("manifest_sd15.json"));
    }

    @Test
    void generatesTheMiniModelKeysAndShapes() {
        assertThat(shapes(Sd1Layout.tensors(MINI))).isEqualTo(manifest("manifest_mini_sd15.json"));
    }

    /** key → shape text of a reference manifest, DDPM buffers left out. */
    static Map<String, String> manifest(String file) {
        Map<String, String> out = new TreeMap<>();
        JsonNode json = Reference.json(file);
        JsonNode tensors = json.isArray() ? json : json.path("tensors"); // the mini manifest is a bare list
        assertThat(tensors.size()).isGreaterThan(0);
        for (JsonNode t : tensors) {
            String key = t.path("key").asText();
            if (!DDPM_BUFFERS.contains(key)) {
                long[] shape = new long[t.path("shape").size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = t.path("shape").get(i).asLong();
                }
                out.put(key, Arrays.toString(shape));
            }
        }
        return out;
    }

    private static Map<String, String> shapes(Map<String, TensorSpec> specs) {
        Map<String, String> out = new TreeMap<>();
        specs.forEach((k, v) -> out.put(k, Arrays.toString(v.shape())));
        return out;
    }
}
