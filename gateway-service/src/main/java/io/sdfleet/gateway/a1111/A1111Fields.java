package io.sdfleet.gateway.a1111;

import io.sdfleet.request.Sampling;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.sdfleet.gateway.a1111.A1111Field.Endpoints.BOTH;
import static io.sdfleet.gateway.a1111.A1111Field.Endpoints.IMG2IMG;
import static io.sdfleet.gateway.a1111.A1111Field.Endpoints.TXT2IMG;
import static io.sdfleet.gateway.a1111.A1111Field.Type.BOOLEAN;
import static io.sdfleet.gateway.a1111.A1111Field.Type.INTEGER;
import static io.sdfleet.gateway.a1111.A1111Field.Type.LIST;
import static io.sdfleet.gateway.a1111.A1111Field.Type.NUMBER;
import static io.sdfleet.gateway.a1111.A1111Field.Type.OBJECT;
import static io.sdfleet.gateway.a1111.A1111Field.Type.STRING;
import static io.sdfleet.gateway.a1111.A1111Field.Type.STRING_LIST;
import static io.sdfleet.gateway.a1111.A1111Field.of;

/**
 * The field table of A1111's generation requests (v1.10's {@code modules/api/models.py}: the processing classes'
 * parameters plus the API's own fields), in A1111's order. Parsing, the {@code parameters} echo, the refusal of
 * unbuilt features and the OpenAPI description all read it, so a default is written once.
 */
public final class A1111Fields {

    public static final List<A1111Field> ALL = List.of(
            of("prompt", BOTH, STRING, "", "The prompt, in A1111's syntax (attention, editing, AND, BREAK, <lora:…>)"),
            of("negative_prompt", BOTH, STRING, "", "What to steer away from"),
            of("styles", BOTH, STRING_LIST, null, "Prompt style names applied to the prompts (unknown names are skipped)"),
            of("seed", BOTH, INTEGER, -1, "-1: random"),
            of("subseed", BOTH, INTEGER, -1, "Variation seed; -1: random"),
            of("subseed_strength", BOTH, NUMBER, 0, "How far toward the variation seed, 0 to 1"),
            of("seed_resize_from_h", BOTH, INTEGER, -1, "Height the seed's noise is made at (-1: the image's)"),
            of("seed_resize_from_w", BOTH, INTEGER, -1, "Width the seed's noise is made at (-1: the image's)"),
            of("sampler_name", BOTH, STRING, null, "Sampler, as /sdapi/v1/samplers names it"),
            of("sampler_index", BOTH, STRING, Sampling.DEFAULT_SAMPLER, "Legacy name of sampler_name (used when it is empty)"),
            of("scheduler", BOTH, STRING, null, "Schedule type (/sdapi/v1/schedulers); empty: the sampler's own"),
            of("batch_size", BOTH, INTEGER, 1, "Images per batch"),
            of("n_iter", BOTH, INTEGER, 1, "Batches"),
            of("steps", BOTH, INTEGER, 50, "Sampling steps"),
            of("cfg_scale", BOTH, NUMBER, 7.0, "Classifier-free guidance scale"),
            of("width", BOTH, INTEGER, 512,
                    "Image width (made at the multiple of 8 below it, as A1111 does; SDXL models: 1024 when neither side is set)"),
            of("height", BOTH, INTEGER, 512,
                    "Image height (made at the multiple of 8 below it, as A1111 does; SDXL models: 1024 when neither side is set)"),
            of("restore_faces", BOTH, BOOLEAN, null,
                    "Restore faces (null: the face_restoration setting); the model and CodeFormer weight from face_restoration_model and code_former_weight"),
            of("tiling", BOTH, BOOLEAN, null, "Seamless tiling"),
            of("do_not_save_samples", BOTH, BOOLEAN, false, "A1111 saves nothing through the API; sdfleet stores every image"),
            of("do_not_save_grid", BOTH, BOOLEAN, false, "No grids are made"),
            of("eta", BOTH, NUMBER, null, "Noise multiplier of ancestral samplers (null: 1)"),
            of("denoising_strength", BOTH, NUMBER, 0.75, "img2img strength; the hires fix's second-pass strength"),
            of("s_min_uncond", BOTH, NUMBER, null, "Skips the negative prompt at low sigmas").unbuilt("s_min_uncond", 0),
            of("s_churn", BOTH, NUMBER, null, "Stochastic churn of Euler, Heun and DPM2 (null: 0)"),
            of("s_tmax", BOTH, NUMBER, null, "Upper sigma of the churn (null or 0: infinity)"),
            of("s_tmin", BOTH, NUMBER, null, "Lower sigma of the churn (null: 0)"),
            of("s_noise", BOTH, NUMBER, null, "Noise scale of the churn (null: 1)"),
            of("override_settings", BOTH, OBJECT, null, "Settings for this request only (see /sdapi/v1/options)"),
            of("override_settings_restore_afterwards", BOTH, BOOLEAN, true, "Overrides never outlive the request here"),
            of("refiner_checkpoint", BOTH, STRING, null,
                    "SDXL refiner checkpoint, as /sdapi/v1/sd-models names it (null, \"\" or \"None\": no refiner)"),
            of("refiner_switch_at", BOTH, NUMBER, null,
                    "Completed fraction of the sampling at which the refiner takes over, 0 to 1 (null: at once)"),
            of("disable_extra_networks", BOTH, BOOLEAN, false, "Ignore <lora:…> and similar tags")
                    .unbuilt("disable_extra_networks"),
            of("firstpass_image", TXT2IMG, STRING, null, "A first-pass image for the hires fix")
                    .unbuilt("hires fix from a first-pass image"),
            of("comments", BOTH, OBJECT, null, "Free-form comments"),
            of("enable_hr", TXT2IMG, BOOLEAN, false, "Hires fix"),
            of("firstphase_width", TXT2IMG, INTEGER, 0, "Legacy, ignored (as in A1111)"),
            of("firstphase_height", TXT2IMG, INTEGER, 0, "Legacy, ignored (as in A1111)"),
            of("hr_scale", TXT2IMG, NUMBER, 2.0, "Hires fix upscale factor"),
            of("hr_upscaler", TXT2IMG, STRING, null, "Hires fix upscaler (null: Latent)"),
            of("hr_second_pass_steps", TXT2IMG, INTEGER, 0, "Second-pass steps (0: as many as the first pass)"),
            of("hr_resize_x", TXT2IMG, INTEGER, 0, "Hires target width (0: by hr_scale)"),
            of("hr_resize_y", TXT2IMG, INTEGER, 0, "Hires target height (0: by hr_scale)"),
            of("hr_checkpoint_name", TXT2IMG, STRING, null, "Checkpoint of the second pass")
                    .unbuilt("a different checkpoint for the hires pass", "Use same checkpoint"),
            of("hr_sampler_name", TXT2IMG, STRING, null, "Sampler of the second pass (null: the same)"),
            of("hr_scheduler", TXT2IMG, STRING, null, "Schedule type of the second pass")
                    .unbuilt("a different scheduler for the hires pass", "Use same scheduler"),
            of("hr_prompt", TXT2IMG, STRING, "", "Prompt of the second pass (empty: the same)"),
            of("hr_negative_prompt", TXT2IMG, STRING, "", "Negative prompt of the second pass (empty: the same)"),
            of("init_images", IMG2IMG, LIST, null, "Base64 images (a data: prefix allowed)"),
            of("resize_mode", IMG2IMG, INTEGER, 0, "0 just resize, 1 crop and resize, 2 resize and fill")
                    .unbuilt("resize_mode 3 (just resize, latent upscale)", 0, 1, 2),
            of("image_cfg_scale", IMG2IMG, NUMBER, null, "instruct-pix2pix image guidance (ignored by other models)"),
            of("mask", IMG2IMG, STRING, null, "Base64 inpainting mask, white = repaint"),
            of("mask_blur_x", IMG2IMG, INTEGER, 4, "Mask blur, horizontal"),
            of("mask_blur_y", IMG2IMG, INTEGER, 4, "Mask blur, vertical"),
            of("mask_blur", IMG2IMG, INTEGER, null, "Mask blur, both ways (wins over _x and _y)"),
            of("mask_round", IMG2IMG, BOOLEAN, true, "Round the mask to 0 or 1").unbuilt("soft (unrounded) masks", true),
            of("inpainting_fill", IMG2IMG, INTEGER, 0, "Masked content: 0 fill, 1 original, 2 latent noise, 3 latent nothing"),
            of("inpaint_full_res", IMG2IMG, BOOLEAN, true, "Inpaint only the masked area, at full resolution"),
            of("inpaint_full_res_padding", IMG2IMG, INTEGER, 0, "Padding around the masked area, in pixels"),
            of("inpainting_mask_invert", IMG2IMG, INTEGER, 0, "1: repaint what is not masked"),
            of("initial_noise_multiplier", IMG2IMG, NUMBER, null, "Extra noise of img2img")
                    .unbuilt("initial_noise_multiplier", 1),
            of("latent_mask", IMG2IMG, STRING, null, "A separate latent mask").unbuilt("a separate latent mask"),
            of("include_init_images", IMG2IMG, BOOLEAN, false, "Echo the images in parameters"),
            of("force_task_id", BOTH, STRING, null, "The id /sdapi/v1/progress?force_task_id= follows"),
            of("script_name", BOTH, STRING, null, "A script (x/y/z plot, …)").unbuilt("scripts"),
            of("script_args", BOTH, LIST, List.of(), "The script's arguments").unbuilt("scripts"),
            of("send_images", BOTH, BOOLEAN, true, "false: answer without the images"),
            of("save_images", BOTH, BOOLEAN, false, "sdfleet stores every image anyway"),
            of("alwayson_scripts", BOTH, OBJECT, Map.of(), "Extensions' always-on scripts (ControlNet, ADetailer, …)")
                    .unbuilt("always-on scripts (extensions)"),
            of("infotext", BOTH, STRING, null, "A1111 fills the request from an infotext").unbuilt("infotext-filled requests"));

    private static final Map<String, A1111Field> BY_NAME = new LinkedHashMap<>();

    static {
        for (A1111Field f : ALL) {
            BY_NAME.put(f.name(), f);
        }
    }

    private A1111Fields() {
    }

    /** The fields of one endpoint, in A1111's order, by name. */
    public static Map<String, A1111Field> forEndpoint(A1111Request.Kind kind) {
        Map<String, A1111Field> out = new LinkedHashMap<>();
        for (A1111Field f : ALL) {
            if (f.endpoints().has(kind)) {
                out.put(f.name(), f);
            }
        }
        return out;
    }

    public static A1111Field get(String name) {
        A1111Field f = BY_NAME.get(name);
        if (f == null) {
            throw new IllegalArgumentException("no A1111 field " + name);
        }
        return f;
    }
}
