package io.sdfleet.gateway.a1111;

import io.sdfleet.diffusion.sampling.SamplerCatalog;
import io.sdfleet.request.HiresFix;
import io.sdfleet.request.Sampling;
import tools.jackson.databind.JsonNode;

import java.util.List;

/** The hires-fix fields of an A1111 txt2img request ({@code enable_hr: true}). */
final class HiresFields {

    private HiresFields() {
    }

    static HiresFix parse(JsonNode body, Fields f, List<FieldProblem> unsupported, int width, int height) {
        double scale = f.number("hr_scale", 1, 8);
        int resizeX = (int) f.integer("hr_resize_x", 0, 4096);
        int resizeY = (int) f.integer("hr_resize_y", 0, 4096);
        String asked = f.text("hr_upscaler", null);
        String wanted = asked == null || asked.isBlank() ? HiresFix.DEFAULT_UPSCALER : asked; // A1111's null: Latent
        String upscaler = HiresFix.knownUpscaler(wanted).orElse(null); // unknown: refused below, made with the default
        if (upscaler == null) {
            unsupported.add(new FieldProblem("hr_upscaler", "upscaler '" + wanted + "' is not available; choose one of "
                    + HiresFix.UPSCALERS));
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
        return options;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
