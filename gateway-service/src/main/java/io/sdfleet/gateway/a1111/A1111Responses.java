package io.sdfleet.gateway.a1111;

import io.sdfleet.diffusion.image.PngFiles;
import io.sdfleet.diffusion.infotext.Infotext;
import io.sdfleet.diffusion.infotext.Version;
import io.sdfleet.gateway.generation.Generation;
import io.sdfleet.request.GenerationParameters;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;

/** Builds A1111's txt2img response: images as bare base64, the echoed request, and {@code info} as a JSON string. */
final class A1111Responses {

    private static final DateTimeFormatter JOB_TIMESTAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC);

    private A1111Responses() {
    }

    public static ObjectNode generation(A1111Request request, Generation generation, List<byte[]> pngs, JsonMapper json) {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        GenerationParameters p = generation.parameters();
        ObjectNode response = nodes.objectNode();
        ArrayNode images = response.putArray("images");
        if (request.sendImages()) {
            pngs.forEach(png -> images.add(Base64.getEncoder().encodeToString(png)));
        }
        response.set("parameters", request.echo());

        ObjectNode info = nodes.objectNode();
        info.put("prompt", p.prompt().positive());
        ArrayNode allPrompts = info.putArray("all_prompts");
        info.put("negative_prompt", p.prompt().negative());
        ArrayNode allNegative = info.putArray("all_negative_prompts");
        info.put("seed", p.noise().seed());
        ArrayNode allSeeds = info.putArray("all_seeds");
        info.put("subseed", p.noise().varies() ? p.noise().subseed() : -1);
        ArrayNode allSubseeds = info.putArray("all_subseeds");
        info.put("subseed_strength", p.noise().subseedStrength());
        info.put("width", p.size().width());
        info.put("height", p.size().height());
        info.put("sampler_name", p.sampling().sampler());
        info.put("cfg_scale", p.sampling().cfgScale());
        info.put("steps", p.sampling().steps());
        info.put("batch_size", p.batch().size());
        info.put("restore_faces", p.restoreFaces() != null);
        if (p.restoreFaces() != null) {
            info.put("face_restoration_model", p.restoreFaces().model());
        } else {
            info.putNull("face_restoration_model");
        }
        ArrayNode infotexts = nodes.arrayNode();
        String modelName = null;
        String modelHash = null;
        for (int k : generation.storedIndexes()) {
            allPrompts.add(p.prompt().positive());
            allNegative.add(p.prompt().negative());
            allSeeds.add(p.noise().seedOf(k));
            allSubseeds.add(p.noise().varies() ? p.noise().subseedOf(k) : -1);
        }
        for (byte[] png : pngs) {
            String text = PngFiles.readText(png).getOrDefault("parameters", "");
            infotexts.add(text);
            Infotext parsed = Infotext.parse(text);
            modelName = parsed.parameters().getOrDefault("Model", modelName);
            modelHash = parsed.parameters().getOrDefault("Model hash", modelHash);
        }
        info.put("sd_model_name", modelName);
        info.put("sd_model_hash", modelHash);
        if (p.models().vae() == null) {
            info.putNull("sd_vae_name");
        } else {
            info.put("sd_vae_name", p.models().vae());
        }
        info.putNull("sd_vae_hash");
        info.put("seed_resize_from_w", p.noise().seedResizeFromW() > 0 ? p.noise().seedResizeFromW() : -1);
        info.put("seed_resize_from_h", p.noise().seedResizeFromH() > 0 ? p.noise().seedResizeFromH() : -1);
        if (p.img2img() != null) {
            info.put("denoising_strength", p.img2img().denoisingStrength());
        } else if (p.hires() != null) {
            info.put("denoising_strength", p.hires().denoisingStrength());
        } else {
            info.putNull("denoising_strength");
        }
        info.putObject("extra_generation_params");
        info.put("index_of_first_image", 0);
        info.set("infotexts", infotexts);
        info.putArray("styles");
        info.put("job_timestamp", JOB_TIMESTAMP.format(generation.acceptedAt()));
        info.put("clip_skip", p.prompt().clipSkip());
        info.put("is_using_inpainting_conditioning", false);
        info.put("version", Version.CURRENT);
        response.put("info", json.writeValueAsString(info));
        return response;
    }
}
