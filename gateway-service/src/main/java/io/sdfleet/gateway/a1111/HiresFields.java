package io.sdfleet.gateway.a1111;

import io.sdfleet.diffusion.sampling.SamplerCatalog;
import io.sdfleet.request.HiresFix;
import io.sdfleet.request.Sampling;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/** The hires-fix fields of an A1111 txt2img request ({@code enable_hr: true}). */
final class HiresFields {

    private HiresFields() {
    }

    /**
     * @param models what the fleet has: {@code hr_upscaler} is a latent mode, a built-in, or a model upscaler whose
     *               file the fleet has ({@link FleetUpscalers}; A1111 refuses an upscaler it does not list too)
     */
    static HiresFix parse(JsonNode body, Fields f, List<FieldProblem> unsupported, int width, int height, int batchSize,
                          RequestLimits limits, ModelCatalog models) {
        double scale = f.number("hr_scale", 1, 8);
        int resizeX = (int) f.integer("hr_resize_x", 0, 4096);
        int resizeY = (int) f.integer("hr_resize_y", 0, 4096);
        String asked = f.text("hr_upscaler", null);
        String wanted = asked == null || asked.isBlank() ? HiresFix.DEFAULT_UPSCALER : asked; // A1111's null: Latent
        // unknown: refused below, made with the default
        String upscaler = HiresFix.knownUpscaler(wanted).or(() -> FleetUpscalers.find(models, wanted)).orElse(null);
        if (upscaler == null) {
            List<String> choices = new ArrayList<>(HiresFix.LATENT_UPSCALERS);
            FleetUpscalers.all(models).forEach(u -> choices.add(u.name()));
            unsupported.add(new FieldProblem("hr_upscaler", "upscaler '" + wanted + "' is not available; choose one of "
                    + choices + " (model upscalers: files in models/ESRGAN and models/RealESRGAN, see"
                    + " /sdapi/v1/upscalers)"));
        }
        int secondPassSteps = (int) f.integer("hr_second_pass_steps", 0, 1000);
        double strength = f.number("denoising_strength", 0, 1);
        String sampler = f.text("hr_sampler_name", null);
        if (sampler != null && (sampler.isBlank() || sampler.equals("Use same sampler"))) {
            sampler = null;
        }
        if (sampler != null) {
            try {
                sampler = SamplerCatalog.choose(sampler, Sampling.DEFAULT_SCHEDULER).sampler().name();
            } catch (IllegalArgumentException e) {
                f.problem("hr_sampler_name", e.getMessage());
            }
        }
        HiresFix options = new HiresFix(scale, resizeX, resizeY, upscaler, secondPassSteps, strength, sampler, null,
                blankToNull(f.text("hr_prompt", null)), blankToNull(f.text("hr_negative_prompt", null)));
        int[] target = options.targetSize(width, height);
        if (target[0] > 4096 || target[1] > 4096 || target[0] < 64 || target[1] < 64) {
            f.problem(resizeX > 0 || resizeY > 0 ? "hr_resize_x" : "hr_scale",
                    "hires target " + target[0] + "x" + target[1] + " must lie between 64 and 4096 on each side");
        }
        withinLimits(options, width, height, batchSize, limits, f);
        return options;
    }

    /** What the operator lets one request ask of the hires pass ({@link RequestLimits}). */
    private static void withinLimits(HiresFix hires, int width, int height, int batchSize, RequestLimits limits,
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

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
