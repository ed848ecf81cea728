package io.sdfleet.worker.generation;

import io.sdfleet.contracts.GenerationParameters;
import io.sdfleet.contracts.HiresFixOptions;
import io.sdfleet.contracts.Img2ImgOptions;
import io.sdfleet.contracts.JobMessage;
import io.sdfleet.contracts.NoiseSettings;
import io.sdfleet.contracts.SamplerSettings;
import io.sdfleet.diffusion.noise.NoiseOptions;
import io.sdfleet.diffusion.noise.RngSource;
import io.sdfleet.diffusion.sampling.SamplerExtras;
import io.sdfleet.diffusion.image.ResizeMode;
import io.sdfleet.diffusion.inpaint.InpaintingFill;
import io.sdfleet.diffusion.inpaint.MaskOptions;
import io.sdfleet.diffusion.pipeline.HiresFix;
import io.sdfleet.diffusion.pipeline.Img2ImgInput;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * A job's parameters as the engine takes them: the job's own seeds and batch, the hires fix, and img2img with its
 * init images and mask decoded from the message. Image k of the request starts from init image k mod n, as in A1111.
 */
final class EngineParameters {

    private EngineParameters() {
    }

    static io.sdfleet.diffusion.pipeline.GenerationParameters of(JobMessage job) {
        GenerationParameters p = job.parameters();
        io.sdfleet.diffusion.pipeline.GenerationParameters engine = new io.sdfleet.diffusion.pipeline.GenerationParameters(
                p.prompt(), p.negativePrompt(), p.samplerName(), p.scheduler(), p.steps(), p.cfgScale(),
                job.seeds().get(0), p.width(), p.height(), job.seeds().size(), p.clipSkip()).withTiling(p.tiling());
        if (p.hires() != null) {
            engine = engine.withHires(hires(p.hires()));
        }
        if (p.img2img() != null) {
            engine = engine.withImg2Img(img2img(p.img2img(), job.firstImageIndex(), job.seeds().size()));
        }
        NoiseSettings n = p.noise();
        // The engine counts variation seeds from its batch's first image; this job starts at firstImageIndex.
        engine = engine.withNoise(new NoiseOptions(RngSource.parse(n.rngSource()), n.subseed() + job.firstImageIndex(),
                n.subseedStrength(), n.seedResizeFromW(), n.seedResizeFromH(), n.etaNoiseSeedDelta()));
        SamplerSettings s = p.sampler();
        engine = engine.withSamplerExtras(new SamplerExtras(s.eta(), s.sChurn(), s.sTmin(),
                s.sTmax() == null ? Double.POSITIVE_INFINITY : s.sTmax(), s.sNoise()));
        return engine;
    }

    private static HiresFix hires(HiresFixOptions h) {
        return new HiresFix(h.scale(), h.resizeX(), h.resizeY(), h.upscaler(), h.secondPassSteps(), h.denoisingStrength(),
                h.samplerName(), null, h.prompt(), h.negativePrompt());
    }

    private static Img2ImgInput img2img(Img2ImgOptions o, int firstImageIndex, int batch) {
        List<BufferedImage> all = o.initImages().stream().map(EngineParameters::decode).toList();
        // The engine cycles through its list from the batch's first image; give it this job's slice of the request's.
        List<BufferedImage> forJob = new ArrayList<>();
        for (int k = 0; k < batch; k++) {
            forJob.add(all.get((firstImageIndex + k) % all.size()));
        }
        Optional<MaskOptions> mask = o.mask() == null ? Optional.empty()
                : Optional.of(new MaskOptions(decode(o.mask()), o.maskBlur(), InpaintingFill.ofIndex(o.inpaintingFill()),
                o.inpaintFullRes(), o.inpaintFullResPadding(), o.inpaintingMaskInvert()));
        return new Img2ImgInput(forJob, o.denoisingStrength(), ResizeMode.ofIndex(o.resizeMode()), mask, null);
    }

    private static BufferedImage decode(String base64) {
        try {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(base64)));
            if (image == null) {
                throw new IllegalArgumentException("an image in the job cannot be decoded");
            }
            return image;
        } catch (IOException e) {
            throw new IllegalArgumentException("an image in the job cannot be decoded: " + e.getMessage(), e);
        }
    }
}
