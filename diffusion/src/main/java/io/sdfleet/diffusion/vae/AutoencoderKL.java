package io.sdfleet.diffusion.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import io.sdfleet.diffusion.nn.Parameter;
import io.sdfleet.diffusion.nn.Weights;
import io.sdfleet.diffusion.nn.Attention;
import io.sdfleet.diffusion.nn.Conv2d;
import io.sdfleet.diffusion.nn.PaddingMode;
import io.sdfleet.diffusion.offload.Placement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * SD's KL autoencoder in the LDM layout (under {@link #PREFIX}): pixels [−1, 1] ⇄ VAE latents at 1/8 size.
 *
 * <p>Latent spaces: {@link #decode} takes and {@link #encode} describes latents in <em>VAE space</em>, what
 * LDM's {@code first_stage_model} sees. The diffusion model works on those times the model's scale factor
 * ({@link #scaleFactor()}: {@link #SD_SCALE_FACTOR} for SD 1.x/2.x, {@link #SDXL_SCALE_FACTOR} for SDXL, given at
 * load by whoever knows the model type): the pipeline multiplies an encoded sample by it and divides model latents
 * by it before decoding.
 *
 * <p>A loaded VAE is shared by every run on its model and never changed by one: what a run chooses (padding,
 * attention chunking, tiles) comes with each call as {@link VaeSettings}; the calls without settings run plainly.
 *
 * <p>Half precision: fp16 overflows in some VAEs (SDXL's, on real weights), and the decode comes out NaN. As A1111
 * with its default {@code auto_vae_precision}, a decode in fp16 whose output is not finite converts the VAE to
 * fp32 once, for good, and decodes again ({@link #decodeReporting}); the only change a model ever sees.
 */
public final class AutoencoderKL implements Autoencoder {

    /** Where LDM single-file checkpoints keep the VAE. */
    public static final String PREFIX = "first_stage_model.";
    /** LDM's {@code scale_factor} for SD 1.x and 2.x: model latents = VAE latents × 0.18215. */
    public static final float SD_SCALE_FACTOR = 0.18215f;
    /** sgm's {@code scale_factor} for SDXL base and refiner: model latents = VAE latents × 0.13025. */
    public static final float SDXL_SCALE_FACTOR = 0.13025f;

    private final Encoder encoder;
    private final Decoder decoder;
    private final Conv2d quantConv;
    private final Conv2d postQuantConv;
    private static final Logger LOG = LoggerFactory.getLogger(AutoencoderKL.class);

    private volatile DataType dtype;
    private final List<Parameter> parameters; // this VAE's own, for the one-time conversion to fp32
    private final ReadWriteLock precision = new ReentrantReadWriteLock(); // decodes read, the conversion writes
    private final VaeSettings plain;
    private volatile Placement placement = Placement.NONE;
    private final String prefix;
    private final float scaleFactor;

    private AutoencoderKL(Weights w, Attention attention, float scaleFactor) {
        this.scaleFactor = scaleFactor;
        this.plain = new VaeSettings(PaddingMode.ZEROS, attention, null);
        this.prefix = w.prefix();
        this.dtype = w.floatType();
        encoder = new Encoder(w.at("encoder"));
        decoder = new Decoder(w.at("decoder"));
        quantConv = Conv2d.load(w.at("quant_conv"), 1, 0);
        postQuantConv = Conv2d.load(w.at("post_quant_conv"), 1, 0);
        parameters = w.parameters().entrySet().stream()
                .filter(e -> e.getKey().startsWith(prefix)).map(Map.Entry::getValue).toList();
    }

    /** @param w weights positioned at the VAE ({@code checkpoint.at(PREFIX)}); attention query-chunked */
    public static AutoencoderKL load(Weights w) {
        return load(w, Attention.chunked());
    }

    /** An SD 1.x / 2.x VAE ({@link #SD_SCALE_FACTOR}); @param attention the chunking of a plain run */
    public static AutoencoderKL load(Weights w, Attention attention) {
        return load(w, attention, SD_SCALE_FACTOR);
    }

    /**
     * @param attention   the chunking of a plain run (the calls without settings)
     * @param scaleFactor the model's latent scale: model latents = VAE latents × scaleFactor
     */
    public static AutoencoderKL load(Weights w, Attention attention, float scaleFactor) {
        return new AutoencoderKL(w, attention, scaleFactor);
    }

    @Override
    public float scaleFactor() {
        return scaleFactor;
    }

    /** A plain run's decode: zero padding, the attention given at load, untiled. */
    @Override
    public NDArray decode(NDArray z) {
        return decode(z, plain);
    }

    /** A plain run's decode, telling whether it fell back to fp32 ({@link #decodeReporting(NDArray, VaeSettings)}). */
    @Override
    public VaeDecode decodeReporting(NDArray z) {
        return decodeReporting(z, plain);
    }

    /**
     * VAE-space latents z [B, 4, h, w] → image [B, 3, 8h, 8w] in about [−1, 1] (not clamped), in z's manager;
     * falls back to fp32 as {@link #decodeReporting} does.
     */
    public NDArray decode(NDArray z, VaeSettings settings) {
        return decodeReporting(z, settings).image();
    }

    /**
     * The decode with A1111's automatic fallback ({@code decode_latent_batch}, {@code auto_vae_precision}): when
     * the VAE runs in fp16 and an image comes out with a NaN or infinite value, the VAE is converted to fp32 (and
     * stays so for every later call, as A1111 keeps {@code dtype_vae}), that image and the ones after it are
     * decoded again, and a warning is logged. The images before it keep their fp16 decode, as in A1111, which
     * decodes one image at a time. A1111 writes nothing to the infotext for it; the flag tells the caller anyway.
     *
     * <p>A1111 tests a whole image for NaN ({@code torch.all(torch.isnan(x))}); an overflow spreads through the
     * group norms to the whole image, and a partly non-finite image is as broken, so any non-finite value counts.
     */
    public VaeDecode decodeReporting(NDArray z, VaeSettings settings) {
        NDArray image;
        boolean half;
        precision.readLock().lock();
        try {
            half = dtype == DataType.FLOAT16;
            image = decodeInCurrentPrecision(z, settings);
        } finally {
            precision.readLock().unlock();
        }
        int first = half ? firstNonFiniteImage(image) : -1;
        if (first < 0) {
            return new VaeDecode(image, false);
        }
        LOG.warn("A tensor with NaN or infinite values was produced in the fp16 VAE (image {} of {} in {}): converting "
                + "the VAE to 32-bit floats for good and decoding again (A1111's 'Automatically revert VAE to "
                + "32-bit floats'; load the VAE in fp32 to start that way).", first, image.getShape().get(0), prefix);
        revertToFloat32();
        try (NDArray rest = z.get("{}:", first)) {
            NDArray redone;
            precision.readLock().lock();
            try {
                redone = decodeInCurrentPrecision(rest, settings);
            } finally {
                precision.readLock().unlock();
            }
            if (first == 0) {
                image.close();
                return new VaeDecode(redone, true);
            }
            try (NDArray kept = image.get(":{}", first)) {
                NDArray joined = kept.concat(redone, 0);
                image.close();
                redone.close();
                return new VaeDecode(joined, true);
            }
        }
    }

    /** Index of the first image [B, …] with a NaN or infinite value, −1 when all are finite. */
    private static int firstNonFiniteImage(NDArray image) {
        try (NDArray nan = image.isNaN(); NDArray inf = image.isInfinite(); NDArray bad = nan.logicalOr(inf);
             NDArray perImage = bad.reshape(image.getShape().get(0), -1).toType(DataType.INT32, false)
                     .max(new int[] {1})) {
            int[] flags = perImage.toIntArray();
            for (int i = 0; i < flags.length; i++) {
                if (flags[i] != 0) {
                    return i;
                }
            }
            return -1;
        }
    }

    /**
     * Converts the weights to fp32 once (A1111's {@code --no-half-vae} from then on); later calls do nothing. The
     * fp16 copies are freed; a decode or encode in flight finishes first.
     */
    public void revertToFloat32() {
        precision.writeLock().lock();
        try {
            if (dtype == DataType.FLOAT32) {
                return;
            }
            for (Parameter parameter : parameters) {
                NDArray home = parameter.home();
                NDArray wide = home.toType(DataType.FLOAT32, false);
                wide.setName(home.getName());
                parameter.replaceHome(wide).close();
            }
            dtype = DataType.FLOAT32;
        } finally {
            precision.writeLock().unlock();
        }
    }

    /** The type the VAE computes in: the load's precision, fp32 after {@link #revertToFloat32}. */
    public DataType floatType() {
        return dtype;
    }

    private NDArray decodeInCurrentPrecision(NDArray z, VaeSettings settings) {
        placement.enter(prefix);
        NDArray input = z.toType(dtype, true);
        StageSettings stages = settings.stages();
        try (NDArray quantized = postQuantConv.forward(input, settings.padding())) {
            input.close();
            VaeTiling tiles = settings.tilingFor(z.getShape().get(2), z.getShape().get(3));
            if (tiles == null) {
                return inType(decoder.forward(quantized, stages), z.getDataType());
            }
            try (NDArray features = decoder.latent(quantized, stages)) {
                return inType(TiledVae.decodeFeatures(decoder, features, tiles, stages), z.getDataType());
            }
        }
    }

    /** A plain run's encoder moments: zero padding, the attention given at load, untiled. */
    public NDArray encodeMoments(NDArray image) {
        return encodeMoments(image, plain);
    }

    /** The encoder's raw moments [B, 2·z, h, w]: mean and log-variance stacked on channels. */
    public NDArray encodeMoments(NDArray image, VaeSettings settings) {
        precision.readLock().lock();
        try {
            placement.enter(prefix);
            NDArray input = image.toType(dtype, true);
            StageSettings stages = settings.stages();
            VaeTiling tiles = settings.tilingFor(image.getShape().get(2) / 8, image.getShape().get(3) / 8);
            try (NDArray features = tiles == null ? encoder.forward(input, stages)
                    : encodeTiled(input, tiles, stages)) {
                input.close();
                return inType(quantConv.forward(features, settings.padding()), image.getDataType());
            }
        } finally {
            precision.readLock().unlock();
        }
    }

    private NDArray encodeTiled(NDArray input, VaeTiling tiles, StageSettings stages) {
        try (NDArray down = TiledVae.encodeFeatures(encoder, input, tiles, stages)) {
            return encoder.latent(down, stages);
        }
    }

    /** A plain run's posterior: zero padding, the attention given at load, untiled. */
    @Override
    public Posterior encode(NDArray image) {
        return encode(image, plain);
    }

    /** image [B, 3, H, W] in [−1, 1] (H, W multiples of 8) → the posterior over VAE-space latents. */
    public Posterior encode(NDArray image, VaeSettings settings) {
        try (NDArray moments = encodeMoments(image, settings); NDList halves = moments.split(2, 1)) {
            NDArray mean = halves.get(0).duplicate();
            NDArray logvar = halves.get(1).clip(-30f, 20f);
            NDArray std = logvar.mul(0.5f).exp();
            return new Posterior(mean, logvar, std);
        }
    }

    /** This VAE as one run uses it: every decode and encode with {@code settings}. */
    public Autoencoder with(VaeSettings settings) {
        return new VaeForRun(this, settings);
    }

    private static NDArray inType(NDArray x, DataType type) {
        if (x.getDataType() == type) {
            return x;
        }
        NDArray converted = x.toType(type, false);
        x.close();
        return converted;
    }

    /** The attention chunking given at load: what a plain run uses. */
    public Attention attention() {
        return plain.attention();
    }

    /** Who brings the weights to the compute device before the VAE runs (memory modes). */
    public void setPlacement(Placement placement) {
        this.placement = placement;
    }
}
