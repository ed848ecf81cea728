package io.sdfleet.gateway.a1111;

import io.sdfleet.contracts.GenerationParameters;
import io.sdfleet.contracts.HiresFixOptions;
import io.sdfleet.contracts.Img2ImgOptions;
import io.sdfleet.contracts.NoiseSettings;
import io.sdfleet.contracts.SamplerSettings;
import io.sdfleet.diffusion.prompt.PromptStyles;
import io.sdfleet.diffusion.sampling.SamplerCatalog;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A1111's {@code StableDiffusionTxt2ImgProcessingAPI} and {@code StableDiffusionImg2ImgProcessingAPI} requests: every
 * field A1111 accepts, with A1111's API defaults (sampler Euler, 50 steps, CFG 7, 512×512, seed −1). Fields for
 * features this fleet does not have yet are accepted at their default (or "off") values and refused by name
 * otherwise; unknown fields are refused by name.
 */
public final class A1111Request {

    /** Which A1111 endpoint's fields apply. */
    public enum Kind { TXT2IMG, IMG2IMG }

    /** A1111's defaults for the fields both endpoints share. */
    private static final Map<String, Object> DEFAULTS = new LinkedHashMap<>();
    /** Fields only txt2img has (the hires fix). */
    private static final Map<String, Object> TXT2IMG_DEFAULTS = new LinkedHashMap<>();
    /** Fields only img2img has (init images, mask, inpainting). */
    private static final Map<String, Object> IMG2IMG_DEFAULTS = new LinkedHashMap<>();

    static {
        DEFAULTS.put("prompt", "");
        DEFAULTS.put("negative_prompt", "");
        DEFAULTS.put("styles", null);
        DEFAULTS.put("seed", -1);
        DEFAULTS.put("subseed", -1);
        DEFAULTS.put("subseed_strength", 0);
        DEFAULTS.put("seed_resize_from_h", -1);
        DEFAULTS.put("seed_resize_from_w", -1);
        DEFAULTS.put("sampler_name", null);
        DEFAULTS.put("sampler_index", "Euler");
        DEFAULTS.put("scheduler", null);
        DEFAULTS.put("batch_size", 1);
        DEFAULTS.put("n_iter", 1);
        DEFAULTS.put("steps", 50);
        DEFAULTS.put("cfg_scale", 7.0);
        DEFAULTS.put("width", 512);
        DEFAULTS.put("height", 512);
        DEFAULTS.put("restore_faces", null);
        DEFAULTS.put("tiling", null);
        DEFAULTS.put("do_not_save_samples", false);
        DEFAULTS.put("do_not_save_grid", false);
        DEFAULTS.put("eta", null);
        DEFAULTS.put("denoising_strength", 0.75);
        DEFAULTS.put("s_min_uncond", null);
        DEFAULTS.put("s_churn", null);
        DEFAULTS.put("s_tmax", null);
        DEFAULTS.put("s_tmin", null);
        DEFAULTS.put("s_noise", null);
        DEFAULTS.put("override_settings", null);
        DEFAULTS.put("override_settings_restore_afterwards", true);
        DEFAULTS.put("refiner_checkpoint", null);
        DEFAULTS.put("refiner_switch_at", null);
        DEFAULTS.put("disable_extra_networks", false);
        TXT2IMG_DEFAULTS.put("firstpass_image", null);
        DEFAULTS.put("comments", null);
        TXT2IMG_DEFAULTS.put("enable_hr", false);
        TXT2IMG_DEFAULTS.put("firstphase_width", 0);
        TXT2IMG_DEFAULTS.put("firstphase_height", 0);
        TXT2IMG_DEFAULTS.put("hr_scale", 2.0);
        TXT2IMG_DEFAULTS.put("hr_upscaler", null);
        TXT2IMG_DEFAULTS.put("hr_second_pass_steps", 0);
        TXT2IMG_DEFAULTS.put("hr_resize_x", 0);
        TXT2IMG_DEFAULTS.put("hr_resize_y", 0);
        TXT2IMG_DEFAULTS.put("hr_checkpoint_name", null);
        TXT2IMG_DEFAULTS.put("hr_sampler_name", null);
        TXT2IMG_DEFAULTS.put("hr_scheduler", null);
        TXT2IMG_DEFAULTS.put("hr_prompt", "");
        TXT2IMG_DEFAULTS.put("hr_negative_prompt", "");
        DEFAULTS.put("force_task_id", null);
        DEFAULTS.put("script_name", null);
        DEFAULTS.put("script_args", List.of());
        DEFAULTS.put("send_images", true);
        DEFAULTS.put("save_images", false);
        DEFAULTS.put("alwayson_scripts", Map.of());
        DEFAULTS.put("infotext", null);
        IMG2IMG_DEFAULTS.put("init_images", null);
        IMG2IMG_DEFAULTS.put("resize_mode", 0);
        IMG2IMG_DEFAULTS.put("image_cfg_scale", null);
        IMG2IMG_DEFAULTS.put("mask", null);
        IMG2IMG_DEFAULTS.put("mask_blur_x", 4);
        IMG2IMG_DEFAULTS.put("mask_blur_y", 4);
        IMG2IMG_DEFAULTS.put("mask_blur", null);
        IMG2IMG_DEFAULTS.put("mask_round", true);
        IMG2IMG_DEFAULTS.put("inpainting_fill", 0);
        IMG2IMG_DEFAULTS.put("inpaint_full_res", true);
        IMG2IMG_DEFAULTS.put("inpaint_full_res_padding", 0);
        IMG2IMG_DEFAULTS.put("inpainting_mask_invert", 0);
        IMG2IMG_DEFAULTS.put("initial_noise_multiplier", null);
        IMG2IMG_DEFAULTS.put("latent_mask", null);
        IMG2IMG_DEFAULTS.put("include_init_images", false);
    }

    /** Settings accepted in override_settings (for this request only). */
    private static final Set<String> OVERRIDABLE = Set.of("sd_model_checkpoint", "CLIP_stop_at_last_layers",
            "sd_vae", "randn_source", "eta_noise_seed_delta");

    private final ObjectNode echo;
    private final GenerationParameters parameters;
    private final String forceTaskId;
    private final boolean sendImages;

    private A1111Request(ObjectNode echo, GenerationParameters parameters, String forceTaskId, boolean sendImages) {
        this.echo = echo;
        this.parameters = parameters;
        this.forceTaskId = forceTaskId;
        this.sendImages = sendImages;
    }

    /** The request with A1111's defaults filled in, as A1111 echoes it in {@code parameters}. */
    public ObjectNode echo() {
        return echo;
    }

    public GenerationParameters parameters() {
        return parameters;
    }

    public String forceTaskId() {
        return forceTaskId;
    }

    public boolean sendImages() {
        return sendImages;
    }

    public static A1111Request parse(JsonNode body, ModelCatalog models, Kind kind) {
        return parse(body, models, PromptStyles.none(), kind);
    }

    /** @param styles the named prompt styles A1111's {@code styles} field may apply */
    public static A1111Request parse(JsonNode body, ModelCatalog models, PromptStyles styles, Kind kind) {
        return parse(body, models, styles, RequestLimits.DEFAULTS, kind);
    }

    /** @param limits what one request may ask for (sizes, steps, counts, prompt length, init images) */
    public static A1111Request parse(JsonNode body, ModelCatalog models, PromptStyles styles, RequestLimits limits,
                                     Kind kind) {
        if (body == null || !body.isObject()) {
            throw new InvalidRequestException(List.of(new FieldProblem("body", "must be a JSON object")), false);
        }
        List<FieldProblem> bad = new ArrayList<>();
        List<FieldProblem> unsupported = new ArrayList<>();
        Map<String, Object> defaults = new LinkedHashMap<>(DEFAULTS);
        defaults.putAll(kind == Kind.TXT2IMG ? TXT2IMG_DEFAULTS : IMG2IMG_DEFAULTS);
        ObjectNode echo = JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, Object> d : defaults.entrySet()) {
            if (kind == Kind.IMG2IMG && List.of("init_images", "mask").contains(d.getKey())
                    && !(body.has("include_init_images") && body.get("include_init_images").asBoolean(false))) {
                echo.putNull(d.getKey()); // A1111 leaves the images out of the echo unless include_init_images
                continue;
            }
            echo.set(d.getKey(), body.has(d.getKey()) ? body.get(d.getKey()) : JsonNodeFactory.instance.pojoNode(d.getValue()));
        }
        for (String field : body.propertyNames()) {
            if (!defaults.containsKey(field)) {
                bad.add(new FieldProblem(field, "unknown field"));
            }
        }
        Fields f = new Fields(body, bad);
        String prompt = f.text("prompt", "", limits.maxPromptLength());
        String negative = f.text("negative_prompt", "", limits.maxPromptLength());
        long seed = f.integer("seed", -1, -1, 0xFFFFFFFFL);
        String samplerName = f.text("sampler_name", null);
        if (samplerName == null || samplerName.isBlank()) {
            samplerName = f.text("sampler_index", "Euler");
        }
        String scheduler = f.text("scheduler", null);
        if (scheduler == null || scheduler.isBlank()) {
            scheduler = "Automatic";
        }
        String samplerField = body.has("sampler_name") ? "sampler_name" : "sampler_index";
        try {
            SamplerCatalog.Choice choice = SamplerCatalog.choose(samplerName, scheduler);
            samplerName = choice.sampler().name();
            scheduler = choice.scheduler().label();
        } catch (IllegalArgumentException e) {
            bad.add(new FieldProblem(e.getMessage().startsWith("unknown scheduler") ? "scheduler" : samplerField, e.getMessage()));
        }
        int batchSize = (int) f.integer("batch_size", 1, 1, 64);
        int nIter = (int) f.integer("n_iter", 1, 1, Math.min(1000, limits.maxNIter()));
        int steps = (int) f.integer("steps", 50, 1, Math.min(1000, limits.maxSteps()));
        double cfg = f.number("cfg_scale", 7.0, 0, 100);
        int width = (int) f.integer("width", 512, 64, 4096);
        int height = (int) f.integer("height", 512, 64, 4096);
        for (String side : List.of("width", "height")) {
            if (body.has(side) && body.get(side).canConvertToLong() && body.get(side).asLong() % 8 != 0) {
                bad.add(new FieldProblem(side, "must be a multiple of 8, got " + body.get(side).asLong()));
            }
        }
        if ((long) width * height * batchSize > limits.maxPixelsPerBatch()) {
            f.problem(batchSize > 1 ? "batch_size" : "width", "width × height × batch_size is "
                    + (long) width * height * batchSize + " pixels; at most " + limits.maxPixelsPerBatch() + " per batch");
        }
        if ((long) batchSize * nIter > limits.maxImagesPerRequest()) {
            f.problem("n_iter", "batch_size × n_iter is " + (long) batchSize * nIter + " images; at most "
                    + limits.maxImagesPerRequest() + " per request");
        }
        String model = models.defaultModel();
        int clipSkip = 1;
        JsonNode overrides = body.get("override_settings");
        if (overrides != null && !overrides.isNull()) {
            if (!overrides.isObject()) {
                bad.add(new FieldProblem("override_settings", "must be an object"));
            } else {
                for (String key : overrides.propertyNames()) {
                    if (!OVERRIDABLE.contains(key)) {
                        unsupported.add(new FieldProblem("override_settings." + key, "setting not supported yet"));
                    }
                }
                JsonNode checkpoint = overrides.get("sd_model_checkpoint");
                if (checkpoint != null && !checkpoint.isNull() && !isName(checkpoint)) {
                    bad.add(new FieldProblem("override_settings.sd_model_checkpoint", "must be a model name (see /sdapi/v1/sd-models)"));
                } else if (checkpoint != null && !checkpoint.isNull()) {
                    model = models.resolve(checkpoint.asString()).orElse(null);
                    if (model == null) {
                        bad.add(new FieldProblem("override_settings.sd_model_checkpoint",
                                "no such model: " + checkpoint.asString() + " (see /sdapi/v1/sd-models)"));
                    }
                }
                JsonNode skip = overrides.get("CLIP_stop_at_last_layers");
                if (skip != null && !skip.isNull()) {
                    if (!skip.canConvertToInt() || skip.asInt() < 1 || skip.asInt() > 12) {
                        bad.add(new FieldProblem("override_settings.CLIP_stop_at_last_layers", "must be 1 to 12"));
                    } else {
                        clipSkip = skip.asInt();
                    }
                }
            }
        }
        String vae = null;
        String rngSource = "CPU";
        long ensd = 0;
        if (overrides != null && overrides.isObject()) {
            JsonNode vaeNode = overrides.get("sd_vae");
            if (vaeNode != null && !vaeNode.isNull() && !isName(vaeNode)) {
                bad.add(new FieldProblem("override_settings.sd_vae", "must be a VAE name (see /sdapi/v1/sd-vae)"));
            } else if (vaeNode != null && !vaeNode.isNull() && !List.of("Automatic", "None", "").contains(vaeNode.asString(""))) {
                vae = models.resolveVae(vaeNode.asString("")).orElse(null);
                if (vae == null) {
                    bad.add(new FieldProblem("override_settings.sd_vae", "no such VAE: " + vaeNode.asString("")
                            + " (see /sdapi/v1/sd-vae)"));
                }
            }
            JsonNode source = overrides.get("randn_source");
            if (source != null && !source.isNull()) {
                rngSource = source.asString("").trim().toUpperCase(java.util.Locale.ROOT);
                if (rngSource.equals("GPU")) {
                    unsupported.add(new FieldProblem("override_settings.randn_source",
                            "GPU depends on the worker's device; use NV for A1111's NVIDIA-GPU noise on any device"));
                } else if (!rngSource.equals("CPU") && !rngSource.equals("NV")) {
                    bad.add(new FieldProblem("override_settings.randn_source", "must be CPU or NV"));
                }
            }
            JsonNode delta = overrides.get("eta_noise_seed_delta");
            if (delta != null && !delta.isNull()) {
                if (!delta.canConvertToLong()) {
                    bad.add(new FieldProblem("override_settings.eta_noise_seed_delta", "must be an integer"));
                } else {
                    ensd = delta.asLong();
                }
            }
        }
        double subseedStrength = f.number("subseed_strength", 0, 0, 1);
        long subseed = f.integer("subseed", -1, -1, 0xFFFFFFFFL);
        if (subseed == -1) {
            subseed = new SecureRandom().nextLong(0x1_0000_0000L - 1_000_000L);
        }
        int resizeFromH = (int) f.integer("seed_resize_from_h", -1, -1, 4096);
        int resizeFromW = (int) f.integer("seed_resize_from_w", -1, -1, 4096);
        NoiseSettings noise = new NoiseSettings(rngSource, subseed, subseedStrength, Math.max(resizeFromW, 0),
                Math.max(resizeFromH, 0), ensd);
        double sTmax = f.number("s_tmax", 0, 0, Double.MAX_VALUE);
        SamplerSettings samplerSettings = new SamplerSettings(f.number("eta", 1, 0, 10), f.number("s_churn", 0, 0, 100),
                f.number("s_tmin", 0, 0, Double.MAX_VALUE), sTmax == 0 ? null : sTmax, f.number("s_noise", 1, 0, 10));
        List<String> styleNames = StyleFields.parse(body, f, styles);
        Unsupported.check(body, unsupported);
        boolean tiling = f.bool("tiling", false);
        HiresFixOptions hires = kind == Kind.TXT2IMG && f.bool("enable_hr", false)
                ? HiresFields.parse(body, f, unsupported, width, height) : null;
        if (hires != null) {
            hiresLimits(hires, width, height, batchSize, limits, f);
        }
        Img2ImgOptions img2img = kind == Kind.IMG2IMG ? Img2ImgFields.parse(body, f, unsupported, limits) : null;
        if (!bad.isEmpty()) {
            throw new InvalidRequestException(bad, false);
        }
        if (!unsupported.isEmpty()) {
            throw new InvalidRequestException(unsupported, true);
        }
        if (seed == -1) {
            seed = new SecureRandom().nextLong(0x1_0000_0000L - 1_000_000L); // leaves room for seed + k
        }
        String forceTaskId = f.text("force_task_id", null);
        boolean sendImages = !body.has("send_images") || body.get("send_images").asBoolean(true);
        PromptStyles.Styled styled = styles.apply(prompt, negative, styleNames);
        GenerationParameters parameters = new GenerationParameters(styled.prompt(), styled.negativePrompt(), samplerName,
                scheduler, steps, cfg, seed, width, height, batchSize, nIter, clipSkip, model, tiling, hires, img2img,
                noise, samplerSettings, vae);
        return new A1111Request(echo, parameters, forceTaskId, sendImages);
    }

    /** A model or VAE name: a string of reasonable length (the catalog matches it with a regex). */
    private static boolean isName(JsonNode node) {
        return node.isString() && node.asString().length() <= 1024;
    }

    private static void hiresLimits(HiresFixOptions hires, int width, int height, int batchSize, RequestLimits limits,
                                    Fields f) {
        if (hires.secondPassSteps() > limits.maxSteps()) {
            f.problem("hr_second_pass_steps", "must be between 0 and " + limits.maxSteps() + ", got " + hires.secondPassSteps());
        }
        if (hires.prompt() != null && hires.prompt().length() > limits.maxPromptLength()) {
            f.problem("hr_prompt", "at most " + limits.maxPromptLength() + " characters, got " + hires.prompt().length());
        }
        if (hires.negativePrompt() != null && hires.negativePrompt().length() > limits.maxPromptLength()) {
            f.problem("hr_negative_prompt", "at most " + limits.maxPromptLength() + " characters, got "
                    + hires.negativePrompt().length());
        }
        int[] target = hires.targetSize(width, height);
        if ((long) target[0] * target[1] * batchSize > limits.maxPixelsPerBatch()) {
            f.problem(hires.resizeX() > 0 || hires.resizeY() > 0 ? "hr_resize_x" : "hr_scale", "hires target "
                    + target[0] + "x" + target[1] + " × batch_size is " + (long) target[0] * target[1] * batchSize
                    + " pixels; at most " + limits.maxPixelsPerBatch() + " per batch");
        }
    }
}
