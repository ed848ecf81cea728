package io.sdfleet.diffusion.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import io.sdfleet.diffusion.nn.Weights;
import io.sdfleet.diffusion.nn.Attention;
import io.sdfleet.diffusion.nn.Conv2d;
import io.sdfleet.diffusion.nn.PaddingMode;
import io.sdfleet.diffusion.offload.Placement;

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
    private final DataType dtype;
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

    /** VAE-space latents z [B, 4, h, w] → image [B, 3, 8h, 8w] in about [−1, 1] (not clamped), in z's manager. */
    public NDArray decode(NDArray z, VaeSettings settings) {
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
        placement.enter(prefix);
        NDArray input = image.toType(dtype, true);
        StageSettings stages = settings.stages();
        VaeTiling tiles = settings.tilingFor(image.getShape().get(2) / 8, image.getShape().get(3) / 8);
        try (NDArray features = tiles == null ? encoder.forward(input, stages) : encodeTiled(input, tiles, stages)) {
            input.close();
            return inType(quantConv.forward(features, settings.padding()), image.getDataType());
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
