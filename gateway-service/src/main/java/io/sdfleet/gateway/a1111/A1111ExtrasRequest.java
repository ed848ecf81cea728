package io.sdfleet.gateway.a1111;

import io.sdfleet.request.Batch;
import io.sdfleet.request.Extras;
import io.sdfleet.request.FaceRestoration;
import io.sdfleet.request.GenerationParameters;
import io.sdfleet.request.ImageSize;
import io.sdfleet.request.ModelChoice;
import io.sdfleet.request.Noise;
import io.sdfleet.request.Prompt;
import io.sdfleet.request.Sampling;
import tools.jackson.databind.JsonNode;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.sdfleet.gateway.a1111.A1111Field.Endpoints.BOTH;
import static io.sdfleet.gateway.a1111.A1111Field.Type.BOOLEAN;
import static io.sdfleet.gateway.a1111.A1111Field.Type.INTEGER;
import static io.sdfleet.gateway.a1111.A1111Field.Type.LIST;
import static io.sdfleet.gateway.a1111.A1111Field.Type.NUMBER;
import static io.sdfleet.gateway.a1111.A1111Field.Type.STRING;
import static io.sdfleet.gateway.a1111.A1111Field.of;

/**
 * An A1111 extras request ({@code ExtrasSingleImageRequest} / {@code ExtrasBatchImagesRequest} of v1.10's
 * {@code modules/api/models.py}) read as pydantic reads it: unknown fields ignored (and reported), values coerced,
 * A1111's defaults where absent, its bounds enforced (400 naming the field); an upscaler the fleet does not have is
 * 422, as {@code hr_upscaler}. The images are re-encoded as PNG (like init images) and the request becomes an
 * extras generation: one image per batch, so each is a job of its own; the seed seeds GFPGAN's noise.
 */
record A1111ExtrasRequest(GenerationParameters parameters, List<String> ignoredFields) {

    enum Kind { SINGLE, BATCH }

    /** ExtrasBaseRequest's fields, A1111's order and defaults, then each endpoint's image field. */
    static final List<A1111Field> FIELDS = List.of(
            of("resize_mode", BOTH, INTEGER, 0, "0: upscale by upscaling_resize, 1: to upscaling_resize_w × _h"),
            of("show_extras_results", BOTH, BOOLEAN, true, "Accepted; the API always returns the results"),
            of("gfpgan_visibility", BOTH, NUMBER, 0, "GFPGAN's visibility, 0 to 1 (0: off)"),
            of("codeformer_visibility", BOTH, NUMBER, 0, "CodeFormer's visibility, 0 to 1 (0: off)"),
            of("codeformer_weight", BOTH, NUMBER, 0, "CodeFormer's weight, 0 (maximum effect) to 1"),
            of("upscaling_resize", BOTH, NUMBER, 2, "Upscale factor, 1 to 8 (resize_mode 0)"),
            of("upscaling_resize_w", BOTH, INTEGER, 512, "Target width (resize_mode 1)"),
            of("upscaling_resize_h", BOTH, INTEGER, 512, "Target height (resize_mode 1)"),
            of("upscaling_crop", BOTH, BOOLEAN, true, "Crop to the target size (resize_mode 1)"),
            of("upscaler_1", BOTH, STRING, "None", "Upscaler (/sdapi/v1/upscalers); None: no upscale"),
            of("upscaler_2", BOTH, STRING, "None", "Second upscaler, blended in"),
            of("extras_upscaler_2_visibility", BOTH, NUMBER, 0, "Visibility of upscaler 2, 0 to 1"),
            of("upscale_first", BOTH, BOOLEAN, false, "Accepted and ignored (A1111's script order decides)"),
            of("image", BOTH, STRING, "", "Base64 image (extra-single-image)"),
            of("imageList", BOTH, LIST, null, "[{data, name}] base64 images (extra-batch-images)"));

    private static final Map<String, A1111Field> TABLE = new LinkedHashMap<>();

    static {
        FIELDS.forEach(f -> TABLE.put(f.name(), f));
    }

    static A1111ExtrasRequest parse(JsonNode body, Kind kind, RequestLimits limits, ModelCatalog models) {
        if (body == null || !body.isObject()) {
            throw new InvalidRequestException(List.of(new FieldProblem("body", "a JSON object is required")), false);
        }
        List<FieldProblem> bad = new ArrayList<>();
        List<FieldProblem> unsupported = new ArrayList<>();
        List<String> ignored = new ArrayList<>();
        String imageField = kind == Kind.SINGLE ? "image" : "imageList";
        body.propertyNames().forEach(name -> {
            if (!TABLE.containsKey(name) || name.equals(kind == Kind.SINGLE ? "imageList" : "image")
                    || name.equals("show_extras_results") || name.equals("upscale_first")) {
                ignored.add(name);
            }
        });
        Fields f = new Fields(body, bad, TABLE);
        int resizeMode = (int) f.integer("resize_mode", 0, 1);
        f.bool("show_extras_results");
        double gfpgan = f.number("gfpgan_visibility", 0, 1);
        double codeformer = f.number("codeformer_visibility", 0, 1);
        double weight = f.number("codeformer_weight", 0, 1);
        double scale = f.number("upscaling_resize", 1, 8);
        boolean scaleGiven = body.hasNonNull("upscaling_resize");
        int targetW = (int) f.integer("upscaling_resize_w", 1, ImageSize.MAX_SIDE);
        int targetH = (int) f.integer("upscaling_resize_h", 1, ImageSize.MAX_SIDE);
        boolean crop = f.bool("upscaling_crop");
        // a restorer step the fleet has no files for is refused here, not failed on a worker
        for (var step : java.util.Map.of("gfpgan_visibility", gfpgan, "codeformer_visibility", codeformer).entrySet()) {
            String model = step.getKey().startsWith("gfpgan") ? FaceRestoration.GFPGAN : FaceRestoration.CODEFORMER;
            String missing = step.getValue() > 0 ? FleetFaceRestorers.missing(models, model) : null;
            if (missing != null) {
                unsupported.add(new FieldProblem(step.getKey(), missing));
            }
        }
        String upscaler1 = upscaler("upscaler_1", f.text("upscaler_1", "None"), models, unsupported);
        String upscaler2 = upscaler("upscaler_2", f.text("upscaler_2", "None"), models, unsupported);
        double visibility2 = f.number("extras_upscaler_2_visibility", 0, 1);
        f.bool("upscale_first");

        List<String> images = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<int[]> sizes = new ArrayList<>();
        if (kind == Kind.SINGLE) {
            JsonNode image = body.get("image");
            if (image == null || image.isNull() || image.isString() && image.asString().isEmpty()) {
                f.problem("image", "a base64-encoded image is required");
            } else {
                add(Img2ImgFields.asPng(image, "image", f, limits), images, sizes);
            }
        } else {
            JsonNode list = body.get("imageList");
            if (list == null || !list.isArray() || list.isEmpty()) {
                f.problem("imageList", "must be a non-empty list of {data, name} images");
            } else if (list.size() > limits.maxInitImages()) {
                f.problem("imageList", "at most " + limits.maxInitImages() + " images, got " + list.size());
            } else {
                for (int i = 0; i < list.size(); i++) {
                    JsonNode item = list.get(i);
                    String field = "imageList[" + i + "]";
                    if (!item.isObject() || !item.hasNonNull("data")) {
                        f.problem(field + ".data", "must be an object with a base64 image in data");
                        continue;
                    }
                    add(Img2ImgFields.asPng(item.get("data"), field + ".data", f, limits), images, sizes);
                    JsonNode name = item.get("name");
                    names.add(name != null && name.isString() ? name.asString() : null);
                }
            }
        }
        Extras extras = null;
        if (bad.isEmpty() && unsupported.isEmpty()) {
            extras = new Extras(images, names, resizeMode, scale, scaleGiven, targetW, targetH, crop, upscaler1,
                    upscaler2, visibility2, gfpgan, codeformer, weight);
            outputWithinLimits(extras, sizes, limits, bad);
        }
        if (!bad.isEmpty()) {
            throw new InvalidRequestException(bad, false);
        }
        if (!unsupported.isEmpty()) {
            throw new InvalidRequestException(unsupported, true);
        }
        // The nominal size and one step only count the job in fair shares; nothing is sampled.
        int[] first = sizes.getFirst();
        ImageSize size = new ImageSize(Math.max(8, first[0] - first[0] % 8), Math.max(8, first[1] - first[1] % 8));
        long seed = new SecureRandom().nextLong(0x1_0000_0000L - 1_000_000L);
        GenerationParameters parameters = new GenerationParameters(new Prompt("", "", 1), size,
                new Batch(1, images.size()), Noise.of(seed), new Sampling(Sampling.DEFAULT_SAMPLER,
                Sampling.DEFAULT_SCHEDULER, 1, 0), null, null, ModelChoice.DEFAULTS, false, null, extras);
        return new A1111ExtrasRequest(parameters, ignored);
    }

    private static void add(Img2ImgFields.Decoded decoded, List<String> images, List<int[]> sizes) {
        if (decoded != null) {
            images.add(decoded.png());
            sizes.add(new int[] {decoded.width(), decoded.height()});
        }
    }

    /** "None" or an upscaler the fleet lists (A1111 asserts it finds the name), else a 422 naming the choices. */
    private static String upscaler(String field, String asked, ModelCatalog models, List<FieldProblem> unsupported) {
        String name = asked == null || asked.isBlank() ? "None" : asked;
        return FleetUpscalers.find(models, name).orElseGet(() -> {
            unsupported.add(new FieldProblem(field, "upscaler '" + name + "' is not available; choose one of "
                    + FleetUpscalers.all(models).stream().map(FleetUpscalers.Item::name).toList()
                    + " (see /sdapi/v1/upscalers)"));
            return "None";
        });
    }

    /** Each upscaled image within the operator's pixels-per-batch limit, as a generation's are. */
    private static void outputWithinLimits(Extras extras, List<int[]> sizes, RequestLimits limits,
                                           List<FieldProblem> bad) {
        if (!extras.upscales()) {
            return;
        }
        for (int[] s : sizes) {
            long w = extras.resizeMode() == 1 ? extras.resizeWidth() : (long) (s[0] * extras.upscalingResize());
            long h = extras.resizeMode() == 1 ? extras.resizeHeight() : (long) (s[1] * extras.upscalingResize());
            if (extras.resizeMode() == 1 && !extras.crop()) {
                double by = Math.max((double) w / s[0], (double) h / s[1]);
                w = (long) (s[0] * by);
                h = (long) (s[1] * by);
            }
            if (w * h > limits.maxPixelsPerBatch()) {
                bad.add(new FieldProblem(extras.resizeMode() == 1 ? "upscaling_resize_w" : "upscaling_resize",
                        "the upscaled image would be " + w + "x" + h + "; at most " + limits.maxPixelsPerBatch()
                                + " pixels"));
                return;
            }
        }
    }
}
