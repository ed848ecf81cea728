package io.sdfleet.diffusion.infotext;

import io.sdfleet.diffusion.sampling.SamplerCatalog;
import io.sdfleet.diffusion.sampling.SamplerSpec;
import io.sdfleet.diffusion.sampling.Scheduler;
import io.sdfleet.request.GenerationParameters;
import io.sdfleet.request.HiresFix;
import io.sdfleet.request.MaskOptions;
import io.sdfleet.request.SamplerExtras;

import java.util.LinkedHashMap;
import java.util.Map;

/** The A1111 infotext of one image: the keys A1111 writes, in its order, for what this run used. */
public final class GenerationInfotext {

    private final String modelName;
    private final String modelHash;
    private final SamplerCatalog.Choice choice;
    private final SamplerSpec hiresSampler;
    private final Map<String, String> vaeInfotext;
    private final String refinerTitle;
    private final Double refinerSwitchAt;

    /**
     * @param modelName    A1111's "Model" (the checkpoint's file name without extension)
     * @param modelHash    A1111's "Model hash"
     * @param choice       the first pass's sampler and scheduler
     * @param hiresSampler the sampler the hires pass ran with; null when the run had no hires pass
     * @param vaeInfotext  "VAE hash" and "VAE" when an external VAE was used; empty otherwise
     */
    public GenerationInfotext(String modelName, String modelHash, SamplerCatalog.Choice choice,
                              SamplerSpec hiresSampler, Map<String, String> vaeInfotext) {
        this(modelName, modelHash, choice, hiresSampler, vaeInfotext, null, null);
    }

    private GenerationInfotext(String modelName, String modelHash, SamplerCatalog.Choice choice,
                               SamplerSpec hiresSampler, Map<String, String> vaeInfotext, String refinerTitle,
                               Double refinerSwitchAt) {
        this.modelName = modelName;
        this.modelHash = modelHash;
        this.choice = choice;
        this.hiresSampler = hiresSampler;
        this.vaeInfotext = vaeInfotext;
        this.refinerTitle = refinerTitle;
        this.refinerSwitchAt = refinerSwitchAt;
    }

    /**
     * The same for a run the SDXL refiner took over: A1111 writes "Refiner" (its short title, "name [hash]") and
     * "Refiner switch at" (left out when the request gave none) only once the refiner has run.
     */
    public GenerationInfotext withRefiner(String title, Double switchAt) {
        return new GenerationInfotext(modelName, modelHash, choice, hiresSampler, vaeInfotext, title, switchAt);
    }

    public String format(GenerationParameters p, long seed, long subseed) {
        SamplerSpec sampler = choice.sampler();
        Scheduler scheduler = choice.scheduler();
        Map<String, String> params = new LinkedHashMap<>();
        params.put("Steps", String.valueOf(p.sampling().steps()));
        params.put("Sampler", sampler.name());
        params.put("Schedule type", sampler.usesTimesteps() ? scheduler.label() : sampler.resolve(scheduler).label());
        params.put("CFG scale", Numbers.compact(p.sampling().cfgScale()));
        params.put("Seed", String.valueOf(seed));
        if (p.restoreFaces() != null) {
            params.put("Face restoration", p.restoreFaces().model()); // A1111 does not write the CodeFormer weight
        }
        params.put("Size", p.size().width() + "x" + p.size().height());
        params.put("Model hash", modelHash);
        params.put("Model", modelName);
        params.putAll(vaeInfotext);
        params.putAll(NoiseInfotext.variation(p.noise(), subseed));
        if (p.img2img() != null) {
            params.put("Denoising strength", Numbers.compact(p.img2img().denoisingStrength()));
            MaskOptions mask = p.img2img().mask();
            if (mask != null) {
                params.put("Mask blur", String.valueOf(mask.maskBlur()));
                if (mask.fullResolution()) {
                    params.put("Inpaint area", "Only masked");
                    params.put("Masked area padding", String.valueOf(mask.fullResolutionPadding()));
                }
                if (mask.invert()) {
                    params.put("Mask mode", "Inpaint not masked");
                }
            }
        }
        if (p.prompt().clipSkip() > 1) {
            params.put("Clip skip", String.valueOf(p.prompt().clipSkip()));
        }
        params.putAll(NoiseInfotext.ensd(p.noise(), sampler.stochastic()));
        SamplerExtras extras = p.sampling().extras();
        if (extras.eta() != 1 && sampler.stochastic()) {
            params.put("Eta", Numbers.compact(extras.eta()));
        }
        if (extras.sChurn() != 0) {
            params.put("Sigma churn", Numbers.compact(extras.sChurn()));
        }
        if (extras.sTmin() != 0) {
            params.put("Sigma tmin", Numbers.compact(extras.sTmin()));
        }
        if (!Double.isInfinite(extras.sTmax())) {
            params.put("Sigma tmax", Numbers.compact(extras.sTmax()));
        }
        if (extras.sNoise() != 1) {
            params.put("Sigma noise", Numbers.compact(extras.sNoise()));
        }
        if (p.tiling()) {
            params.put("Tiling", "True");
        }
        if (hiresSampler != null) {
            HiresFix fix = p.hires();
            params.put("Denoising strength", Numbers.compact(fix.denoisingStrength()));
            if (fix.resizeX() > 0 || fix.resizeY() > 0) {
                params.put("Hires resize", fix.resizeX() + "x" + fix.resizeY());
            } else {
                params.put("Hires upscale", Numbers.compact(fix.scale()));
            }
            if (fix.secondPassSteps() > 0) {
                params.put("Hires steps", String.valueOf(fix.secondPassSteps()));
            }
            params.put("Hires upscaler", fix.upscaler());
            if (hiresSampler != sampler) {
                params.put("Hires sampler", hiresSampler.name());
            }
            if (fix.prompt() != null && !fix.prompt().isBlank()) {
                params.put("Hires prompt", fix.prompt());
            }
            if (fix.negativePrompt() != null && !fix.negativePrompt().isBlank()) {
                params.put("Hires negative prompt", fix.negativePrompt());
            }
        }
        if (refinerTitle != null) {
            params.put("Refiner", refinerTitle);
            if (refinerSwitchAt != null) {
                params.put("Refiner switch at", Numbers.compact(refinerSwitchAt));
            }
        }
        params.put("RNG", p.noise().rngSource().label());
        params.put("Version", Version.CURRENT);
        return new Infotext(p.prompt().positive(), p.prompt().negative(), params).format();
    }
}
