package io.sdfleet.diffusion.checkpoint;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which checkpoint keys a loader may leave unread on purpose, and the report of everything else.
 *
 * <p>SD checkpoints carry training leftovers the engine recomputes or never uses: the EMA copy of the UNet
 * ({@code model_ema.*}), the 12 DDPM schedule buffers LatentDiffusion registers, CLIP's constant
 * {@code position_ids}, the loss weights {@code lvlb_weights} / {@code logvar}, and SDXL's {@code denoiser.sigmas}
 * (sgm's copy of the σ schedule, which samplers compute from ᾱ). Any other unread key, in
 * particular anything under {@code model.diffusion_model.}, means the checkpoint does not fit the architecture
 * and is reported by name.
 */
public final class CheckpointKeys {

    /** The buffers ldm.models.diffusion.ddpm.DDPM.register_schedule stores in every checkpoint. */
    public static final Set<String> DDPM_BUFFERS = Set.of(
            "betas", "alphas_cumprod", "alphas_cumprod_prev", "sqrt_alphas_cumprod",
            "sqrt_one_minus_alphas_cumprod", "log_one_minus_alphas_cumprod", "sqrt_recip_alphas_cumprod",
            "sqrt_recipm1_alphas_cumprod", "posterior_variance", "posterior_log_variance_clipped",
            "posterior_mean_coef1", "posterior_mean_coef2");

    private static final Set<String> KNOWN_JUNK = Set.of(
            "lvlb_weights", "logvar", "denoiser.sigmas",
            "cond_stage_model.transformer.text_model.embeddings.position_ids",
            "cond_stage_model.transformer.embeddings.position_ids"); // older transformers releases

    private static final List<String> KNOWN_PREFIXES = List.of("model_ema.");

    private CheckpointKeys() {
    }

    /** True for keys a loader skips by rule; never true for a UNet, VAE or CLIP parameter. */
    public static boolean isKnownExtra(String key) {
        return DDPM_BUFFERS.contains(key) || KNOWN_JUNK.contains(key)
                || KNOWN_PREFIXES.stream().anyMatch(key::startsWith);
    }

    /** Compares the keys a model expects with those present, ignoring known extras among the leftovers. */
    public static KeyReport compare(Collection<String> expected, Collection<String> present) {
        Set<String> presentSet = Set.copyOf(present);
        Set<String> expectedSet = Set.copyOf(expected);
        TreeSet<String> missing = new TreeSet<>();
        for (String key : expectedSet) {
            if (!presentSet.contains(key)) {
                missing.add(key);
            }
        }
        TreeSet<String> unexpected = new TreeSet<>();
        for (String key : presentSet) {
            if (!expectedSet.contains(key) && !isKnownExtra(key)) {
                unexpected.add(key);
            }
        }
        return new KeyReport(List.copyOf(missing), List.copyOf(unexpected));
    }

    /**
     * After the model components have taken their weights: every key nobody took or skipped ({@code unconsumed})
     * that is not a known extra. (A missing key already failed when it was taken.)
     */
    public static KeyReport afterLoad(Collection<String> unconsumed) {
        List<String> unexpected = unconsumed.stream().filter(k -> !isKnownExtra(k)).sorted().toList();
        return new KeyReport(List.of(), unexpected);
    }
}
