package io.sdfleet.gateway.a1111;

import io.sdfleet.diffusion.prompt.PromptStyles;
import io.sdfleet.diffusion.sampling.SamplerCatalog;
import io.sdfleet.diffusion.sampling.SamplerSpec;
import io.sdfleet.request.Batch;
import io.sdfleet.request.FaceRestoration;
import io.sdfleet.request.GenerationParameters;
import io.sdfleet.request.HiresFix;
import io.sdfleet.request.ImageSize;
import io.sdfleet.request.Img2Img;
import io.sdfleet.request.ModelArchitecture;
import io.sdfleet.request.ModelChoice;
import io.sdfleet.request.Noise;
import io.sdfleet.request.Prompt;
import io.sdfleet.request.Refiner;
import io.sdfleet.request.RngSource;
import io.sdfleet.request.SamplerExtras;
import io.sdfleet.request.Sampling;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A1111's {@code StableDiffusionTxt2ImgProcessingAPI} and {@code StableDiffusionImg2ImgProcessingAPI} requests: every
 * field A1111 accepts, with A1111's API defaults (sampler Euler, 50 steps, CFG 7, 512×512, seed −1; an SDXL model
 * makes 1024×1024 when neither side is set, sdfleet's choice). Fields for
 * features this fleet does not have yet are accepted at their default (or "off") values and refused by name
 * otherwise; unknown fields are refused by name.
 */
public final class A1111Request {

    /** Which A1111 endpoint's fields apply. */
    public enum Kind { TXT2IMG, IMG2IMG }

    /**
     * How strictly the body is read. {@code A1111} is as lenient as A1111's pydantic models: unknown fields and
     * settings are ignored (and reported in {@link #ignoredFields()}), unknown style names skipped, sizes that are not
     * multiples of 8 rounded down as A1111's latents are. {@code NATIVE} (sdfleet's own API) refuses all of these.
     */
    public enum Dialect { A1111, NATIVE }

    /** Settings generation reads, from override_settings or the caller's saved options (POST /sdapi/v1/options). */
    public static final Set<String> GENERATION_SETTINGS = Set.of("sd_model_checkpoint", "CLIP_stop_at_last_layers",
            "sd_vae", "randn_source", "eta_noise_seed_delta", "face_restoration", "face_restoration_model", "code_former_weight",
            "upscaler_for_img2img", "sdxl_crop_top", "sdxl_crop_left");

    private final ObjectNode echo;
    private final GenerationParameters parameters;
    private final String forceTaskId;
    private final boolean sendImages;
    private final List<String> ignoredFields;

    private A1111Request(ObjectNode echo, GenerationParameters parameters, String forceTaskId, boolean sendImages,
                         List<String> ignoredFields) {
        this.echo = echo;
        this.parameters = parameters;
        this.forceTaskId = forceTaskId;
        this.sendImages = sendImages;
        this.ignoredFields = List.copyOf(ignoredFields);
    }

    /** Fields and settings the request carried that A1111's models do not declare (or this fleet does not read). */
    public List<String> ignoredFields() {
        return ignoredFields;
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
        return parse(body, models, styles, limits, kind, Dialect.A1111, Map.of());
    }

    /**
     * @param dialect     how strictly to read the body
     * @param userOptions the caller's saved settings (POST /sdapi/v1/options): defaults that override_settings beats
     */
    public static A1111Request parse(JsonNode body, ModelCatalog models, PromptStyles styles, RequestLimits limits,
                                     Kind kind, Dialect dialect, Map<String, JsonNode> userOptions) {
        if (body == null || !body.isObject()) {
            throw new InvalidRequestException(List.of(new FieldProblem("body", "must be a JSON object")), false);
        }
        boolean lenient = dialect == Dialect.A1111;
        List<FieldProblem> bad = new ArrayList<>();
        List<FieldProblem> unsupported = new ArrayList<>();
        List<String> ignored = new ArrayList<>();
        Map<String, A1111Field> table = A1111Fields.forEndpoint(kind);
        ObjectNode echo = echo(body, table);
        for (String field : body.propertyNames()) {
            if (!table.containsKey(field)) {
                if (lenient) {
                    ignored.add(field); // A1111's models ignore what they do not declare (img2img fields on txt2img too)
                } else {
                    bad.add(new FieldProblem(field, "unknown field"));
                }
            }
        }
        boolean hiresOn = body.has("enable_hr") && Fields.asBoolean(body.get("enable_hr")).orElse(false);
        for (A1111Field field : table.values()) {
            if (field.name().startsWith("hr_") && !hiresOn) {
                continue; // the hires fix's fields ask for nothing while it is off
            }
            if (!field.supported() && !Fields.isOff(body.get(field.name()), field)) {
                unsupported.add(new FieldProblem(field.name(), field.unbuiltFeature() + " is not supported yet"));
            }
        }
        Fields f = new Fields(body, bad, table);
        String prompt = f.text("prompt", limits.maxPromptLength());
        String negative = f.text("negative_prompt", limits.maxPromptLength());
        long seed = f.integer("seed", -1, 0xFFFFFFFFL);
        String samplerName = f.text("sampler_name", null);
        if (samplerName == null || samplerName.isBlank()) {
            samplerName = f.text("sampler_index", Sampling.DEFAULT_SAMPLER);
        }
        String scheduler = f.text("scheduler", null);
        if (scheduler == null || scheduler.isBlank()) {
            scheduler = Sampling.DEFAULT_SCHEDULER;
        }
        String samplerField = body.has("sampler_name") ? "sampler_name" : "sampler_index";
        if (lenient) {
            scheduler = lenientScheduler(samplerName, scheduler, ignored, unsupported);
        }
        try {
            SamplerCatalog.Choice choice = SamplerCatalog.choose(samplerName, scheduler);
            samplerName = choice.sampler().name();
            scheduler = choice.scheduler().label();
        } catch (IllegalArgumentException e) {
            bad.add(new FieldProblem(e.getMessage().startsWith("unknown scheduler") ? "scheduler" : samplerField, e.getMessage()));
        }
        int batchSize = (int) f.integer("batch_size", 1, 64);
        int nIter = (int) f.integer("n_iter", 1, Math.min(1000, limits.maxNIter()));
        int steps = (int) f.integer("steps", 1, Math.min(1000, limits.maxSteps()));
        double cfg = f.number("cfg_scale", 0, 100);
        if ((long) batchSize * nIter > limits.maxImagesPerRequest()) {
            f.problem("n_iter", "batch_size × n_iter is " + (long) batchSize * nIter + " images; at most "
                    + limits.maxImagesPerRequest() + " per request");
        }
        GenerationSettings settings = GenerationSettings.read(body.get("override_settings"), userOptions, lenient, bad, unsupported, ignored);
        String model = models.defaultModel();
        JsonNode checkpoint = settings.get("sd_model_checkpoint");
        if (checkpoint != null && !isName(checkpoint)) {
            bad.add(new FieldProblem(settings.field("sd_model_checkpoint"), "must be a model name (see /sdapi/v1/sd-models)"));
        } else if (checkpoint != null) {
            model = models.resolve(checkpoint.asString()).orElse(null);
            if (model == null) {
                bad.add(new FieldProblem(settings.field("sd_model_checkpoint"),
                        "no such model: " + checkpoint.asString() + " (see /sdapi/v1/sd-models)"));
            }
        } else if (model == null) {
            throw new NoCheckpointException();
        }
        ModelArchitecture architecture = model == null ? ModelArchitecture.SD1 : models.architectureOf(model);
        // A deliberate sdfleet choice (issue 16), not A1111's: A1111's API makes 512×512 whatever the model, which
        // SDXL draws badly; a request on an SDXL model that sets neither side gets the model's native 1024×1024.
        // A client that sets either side keeps A1111's defaults for the other.
        boolean sizeUnset = isUnset(body, "width") && isUnset(body, "height");
        int defaultSide = sizeUnset && architecture.isSdxl() ? architecture.nativeSize()
                : ((Number) table.get("width").defaultValue()).intValue();
        int width = (int) f.integer("width", defaultSide, 64, 4096);
        int height = (int) f.integer("height", defaultSide, 64, 4096);
        if (sizeUnset) {
            echo.put("width", width);
            echo.put("height", height);
        }
        if (lenient) {
            width -= width % 8; // A1111's latent is width // 8 wide: 100 makes a 96-pixel image
            height -= height % 8;
        } else {
            for (String side : List.of("width", "height")) {
                if ((side.equals("width") ? width : height) % 8 != 0) {
                    bad.add(new FieldProblem(side, "must be a multiple of 8, got " + (side.equals("width") ? width : height)));
                }
            }
        }
        if ((long) width * height * batchSize > limits.maxPixelsPerBatch()) {
            f.problem(batchSize > 1 ? "batch_size" : "width", "width × height × batch_size is "
                    + (long) width * height * batchSize + " pixels; at most " + limits.maxPixelsPerBatch() + " per batch");
        }
        Refiner refiner = RefinerFields.parse(f, body, models, bad);
        ModelArchitecture refinerArchitecture = refiner == null ? null : models.architectureOf(refiner.checkpoint());
        int clipSkip = (int) settings.integer("CLIP_stop_at_last_layers", 1, 1, 12, bad);
        String vae = null;
        JsonNode vaeNode = settings.get("sd_vae");
        if (vaeNode != null && !isName(vaeNode)) {
            bad.add(new FieldProblem(settings.field("sd_vae"), "must be a VAE name (see /sdapi/v1/sd-vae)"));
        } else if (vaeNode != null && !List.of("Automatic", "None", "").contains(vaeNode.asString(""))) {
            vae = models.resolveVae(vaeNode.asString("")).orElse(null);
            if (vae == null) {
                bad.add(new FieldProblem(settings.field("sd_vae"), "no such VAE: " + vaeNode.asString("")
                        + " (see /sdapi/v1/sd-vae)"));
            }
        }
        RngSource rngSource = RngSource.CPU;
        JsonNode source = settings.get("randn_source");
        if (source != null) {
            String named = source.asString("").trim().toUpperCase(Locale.ROOT);
            if (named.equals("GPU")) {
                unsupported.add(new FieldProblem(settings.field("randn_source"),
                        "GPU depends on the worker's device; use NV for A1111's NVIDIA-GPU noise on any device"));
            } else if (!named.equals("CPU") && !named.equals("NV")) {
                bad.add(new FieldProblem(settings.field("randn_source"), "must be CPU or NV"));
            } else {
                rngSource = RngSource.parse(named);
            }
        }
        long ensd = settings.integer("eta_noise_seed_delta", 0, Long.MIN_VALUE, Long.MAX_VALUE, bad);
        // SDXL's crop conditioning (A1111's settings; other models ignore them)
        int cropTop = (int) settings.integer("sdxl_crop_top", 0, 0, ImageSize.MAX_SIDE, bad);
        int cropLeft = (int) settings.integer("sdxl_crop_left", 0, 0, ImageSize.MAX_SIDE, bad);
        double subseedStrength = f.number("subseed_strength", 0, 1);
        long subseed = f.integer("subseed", -1, 0xFFFFFFFFL);
        if (subseed == -1) {
            subseed = new SecureRandom().nextLong(0x1_0000_0000L - 1_000_000L);
        }
        int resizeFromH = (int) f.integer("seed_resize_from_h", -1, 4096);
        int resizeFromW = (int) f.integer("seed_resize_from_w", -1, 4096);
        // A1111's null for these means "the setting's value": eta 1, churn 0, tmin 0, tmax infinity, noise 1
        SamplerExtras defaults = SamplerExtras.DEFAULTS;
        double sTmax = f.number("s_tmax", 0, 0, Double.MAX_VALUE);
        SamplerExtras extras = new SamplerExtras(f.number("eta", defaults.eta(), 0, 10),
                f.number("s_churn", defaults.sChurn(), 0, 100), f.number("s_tmin", defaults.sTmin(), 0, Double.MAX_VALUE),
                sTmax == 0 ? defaults.sTmax() : sTmax, f.number("s_noise", defaults.sNoise(), 0, 10));
        List<String> styleNames = StyleFields.parse(body, f, styles, lenient);
        boolean tiling = f.bool("tiling", false);
        FaceRestoration restoreFaces = FaceRestorationFields.parse(f, body, settings, models, bad, unsupported);
        HiresFix hires = kind == Kind.TXT2IMG && f.bool("enable_hr")
                ? HiresFields.parse(body, f, unsupported, width, height, batchSize, limits, models) : null;
        Img2Img img2img = kind == Kind.IMG2IMG ? Img2ImgFields.parse(body, f, unsupported, limits,
                Img2ImgFields.upscaler(settings, models, lenient, bad, ignored)) : null;
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
        boolean sendImages = f.bool("send_images");
        PromptStyles.Styled styled = styles.apply(prompt, negative, styleNames);
        Noise noise = new Noise(seed, subseed, subseedStrength, Math.max(resizeFromW, 0), Math.max(resizeFromH, 0),
                rngSource, ensd);
        GenerationParameters parameters = new GenerationParameters(
                new Prompt(styled.prompt(), styled.negativePrompt(), clipSkip), new ImageSize(width, height, cropTop, cropLeft),
                new Batch(batchSize, nIter), noise, new Sampling(samplerName, scheduler, steps, cfg, extras), hires, img2img,
                new ModelChoice(model, vae, refiner).withArchitectures(architecture, refinerArchitecture), tiling,
                restoreFaces, null);
        return new A1111Request(echo, parameters, forceTaskId, sendImages, ignored);
    }

    /**
     * The request as A1111 echoes it in {@code parameters}: every field of the endpoint, coerced, A1111's default where
     * absent; the images only with {@code include_init_images}.
     */
    private static ObjectNode echo(JsonNode body, Map<String, A1111Field> table) {
        ObjectNode echo = JsonNodeFactory.instance.objectNode();
        boolean includeImages = body.has("include_init_images")
                && Fields.asBoolean(body.get("include_init_images")).orElse(false);
        for (A1111Field field : table.values()) {
            if ((field.name().equals("init_images") || field.name().equals("mask")) && !includeImages) {
                echo.putNull(field.name());
            } else if (body.has(field.name())) {
                echo.set(field.name(), Fields.coerced(body.get(field.name()), field.type()));
            } else {
                echo.set(field.name(), JsonNodeFactory.instance.pojoNode(field.defaultValue()));
            }
        }
        return echo;
    }

    /** A1111's schedule types (names and labels, lower case) that the engine does not have. */
    private static final Set<String> A1111_ONLY_SCHEDULERS = Set.of("polyexponential", "kl_optimal", "kl optimal",
            "align_your_steps", "align your steps", "simple", "normal", "ddim", "beta", "karras_exponential",
            "karras exponential");

    /**
     * A scheduler name the engine does not know, read as A1111 reads it. Was: refused with 400, so SillyTavern's
     * default request (sampler "DDIM", scheduler "normal") failed although A1111 makes it. A1111's timestep samplers
     * (DDIM, UniPC, …) never use a schedule type, and a name A1111 does not know either falls back to Automatic
     * ({@code get_sampler_and_scheduler}); both are ignored here too and reported in the ignored-fields header. A
     * schedule type A1111 has but the engine lacks, asked of a σ sampler, would make other images than A1111's: 422.
     * An unknown sampler is left to the usual check.
     */
    private static String lenientScheduler(String samplerName, String scheduler, List<String> ignored,
                                           List<FieldProblem> unsupported) {
        try {
            SamplerCatalog.choose(samplerName, scheduler);
            return scheduler;
        } catch (IllegalArgumentException e) {
            if (!e.getMessage().startsWith("unknown scheduler")) {
                return scheduler;
            }
        }
        SamplerSpec sampler;
        try {
            sampler = SamplerCatalog.choose(samplerName, Sampling.DEFAULT_SCHEDULER).sampler();
        } catch (IllegalArgumentException unknownSampler) {
            return Sampling.DEFAULT_SCHEDULER;
        }
        if (!sampler.usesTimesteps() && A1111_ONLY_SCHEDULERS.contains(scheduler.trim().toLowerCase(Locale.ROOT))) {
            unsupported.add(new FieldProblem("scheduler", "the '" + scheduler + "' schedule type is not supported yet"
                    + " (see /sdapi/v1/schedulers)"));
        } else {
            ignored.add("scheduler");
        }
        return Sampling.DEFAULT_SCHEDULER;
    }

    /** A field the body leaves out or sets to null (A1111's default applies). */
    private static boolean isUnset(JsonNode body, String field) {
        return !body.has(field) || body.get(field).isNull();
    }

    /** A model or VAE name: a string of reasonable length (the catalog matches it with a regex). */
    static boolean isName(JsonNode node) {
        return node.isString() && node.asString().length() <= 1024;
    }
}
