package io.sdfleet.gateway.a1111;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A1111's settings as {@code GET /sdapi/v1/options} lists them (v1.10's {@code shared_options.py} keys that clients
 * read), with A1111's defaults — except where this fleet's behaviour differs, which the value then tells (noise comes
 * from the CPU generator unless NV is chosen). The generation settings among them change what a user's later requests
 * make; the others are kept per user and read back, as A1111 keeps them.
 */
final class A1111Options {

    static final Map<String, Object> DEFAULTS = new LinkedHashMap<>();

    static {
        DEFAULTS.put("sd_model_checkpoint", null); // the fleet's default model, as a /sd-models title
        DEFAULTS.put("sd_checkpoint_hash", null);
        DEFAULTS.put("sd_vae", "Automatic");
        DEFAULTS.put("sd_vae_overrides_per_model_preferences", true);
        DEFAULTS.put("CLIP_stop_at_last_layers", 1);
        DEFAULTS.put("eta_noise_seed_delta", 0);
        DEFAULTS.put("randn_source", "CPU");
        DEFAULTS.put("sd_checkpoints_limit", 1);
        DEFAULTS.put("sd_checkpoint_cache", 0);
        DEFAULTS.put("sd_vae_checkpoint_cache", 0);
        DEFAULTS.put("samples_format", "png");
        DEFAULTS.put("samples_save", true);
        DEFAULTS.put("grid_save", true);
        DEFAULTS.put("jpeg_quality", 80);
        DEFAULTS.put("enable_pnginfo", true);
        DEFAULTS.put("live_previews_enable", true);
        DEFAULTS.put("show_progress_every_n_steps", 10);
        DEFAULTS.put("show_progressbar", true);
        DEFAULTS.put("face_restoration", false);
        DEFAULTS.put("face_restoration_model", "CodeFormer");
        DEFAULTS.put("code_former_weight", 0.5);
        DEFAULTS.put("upscaler_for_img2img", null);
        DEFAULTS.put("sdxl_crop_top", 0);
        DEFAULTS.put("sdxl_crop_left", 0);
        DEFAULTS.put("eta_ddim", 0.0);
        DEFAULTS.put("eta_ancestral", 1.0);
        DEFAULTS.put("s_churn", 0.0);
        DEFAULTS.put("s_tmin", 0.0);
        DEFAULTS.put("s_tmax", 0.0);
        DEFAULTS.put("s_noise", 1.0);
        DEFAULTS.put("k_sched_type", "Automatic");
        DEFAULTS.put("always_discard_next_to_last_sigma", false);
        DEFAULTS.put("emphasis", "Original");
        DEFAULTS.put("comma_padding_backtrack", 20);
        DEFAULTS.put("token_merging_ratio", 0.0);
        DEFAULTS.put("img2img_color_correction", false);
        DEFAULTS.put("initial_noise_multiplier", 1.0);
        DEFAULTS.put("tiling", false);
        DEFAULTS.put("sd_lora", "None");
        DEFAULTS.put("lora_preferred_name", "Alias from file");
        DEFAULTS.put("hires_fix_use_firstpass_conds", false);
        DEFAULTS.put("api_enable_requests", true);
        DEFAULTS.put("api_forbid_local_requests", true);
    }

    /** Settings derived from another one: a client posting back what it read must not fail on them. */
    static final List<String> DERIVED = List.of("sd_checkpoint_hash");

    private A1111Options() {
    }
}
