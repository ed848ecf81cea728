package io.sdfleet.diffusion.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import io.sdfleet.diffusion.checkpoint.Weights;
import io.sdfleet.diffusion.nn.Attention;
import io.sdfleet.diffusion.nn.Conv2d;
import io.sdfleet.diffusion.nn.PaddingMode;
import io.sdfleet.diffusion.offload.Placement;

import java.util.ArrayList;
import java.util.List;

/**
 * SD's KL autoencoder in the LDM layout (under {@link #PREFIX}): pixels [−1, 1] ⇄ VAE latents at 1/8 size.
 *
 * <p>Latent spaces: {@link #decode} takes and {@link #encode} describes latents in <em>VAE space</em>, what
 * LDM's {@code first_stage_model} sees. The diffusion model works on those times the checkpoint's scale factor
 * ({@link #SD_SCALE_FACTOR} for SD 1.x/2.x): the pipeline multiplies an encoded sample by it and divides model
 * latents by it before decoding.
 */
public final class AutoencoderKL {

    /** Where LDM single-file checkpoints keep the VAE. */
    public static final String PREFIX = "first_stage_model.";
    /** LDM's {@code scale_factor} for SD 1.x and 2.x: model latents = VAE latents × 0.18215. */
    public static final float SD_SCALE_FACTOR = 0.18215f;

    private final Encoder encoder;
    private final Decoder decoder;
    private final Conv2d quantConv;
    private final Conv2d postQuantConv;
    private final DataType dtype;
    private final Attention attention;
    private final List<Conv2d> convolutions = new ArrayList<>();
    private volatile VaeTiling tiling;
    private volatile Placement placement = Placement.NONE;
    private final String prefix;
    private volatile PaddingMode paddingMode = PaddingMode.ZEROS;

    private AutoencoderKL(Weights w, Attention attention) {
        this.attention = attention;
        this.prefix = w.prefix();
        this.dtype = w.floatType();
        encoder = new Encoder(w.at("encoder"), attention, convolutions);
        decoder = new Decoder(w.at("decoder"), attention, convolutions);
        quantConv = Conv2d.load(w.at("quant_conv"), 1, 0);
        postQuantConv = Conv2d.load(w.at("post_quant_conv"), 1, 0);
    }

    /** @param w weights positioned at the VAE ({@code checkpoint.at(PREFIX)}); attention query-chunked */
    public static AutoencoderKL load(Weights w) {
        return load(w, Attention.chunked());
    }

    public static AutoencoderKL load(Weights w, Attention attention) {
        return new AutoencoderKL(w, attention);
    }

    /** VAE-space latents z [B, 4, h, w] → image [B, 3, 8h, 8w] in about [−1, 1] (not clamped), in z's manager. */
    public NDArray decode(NDArray z) {
        placement.enter(prefix);
        NDArray input = z.toType(dtype, true);
        try (NDArray quantized = postQuantConv.forward(input)) {
            input.close();
            VaeTiling tiles = tilingFor(z.getShape().get(2), z.getShape().get(3));
            if (tiles == null) {
                return inType(decoder.forward(quantized), z.getDataType());
            }
            try (NDArray features = decoder.latent(quantized)) {
                return inType(TiledVae.decodeFeatures(decoder, features, tiles), z.getDataType());
            }
        }
    }

    /** The encoder's raw moments [B, 2·z, h, w]: mean and log-variance stacked on channels. */
    public NDArray encodeMoments(NDArray image) {
        placement.enter(prefix);
        NDArray input = image.toType(dtype, true);
        VaeTiling tiles = tilingFor(image.getShape().get(2) / 8, image.getShape().get(3) / 8);
        try (NDArray features = tiles == null ? encoder.forward(input) : encodeTiled(input, tiles)) {
            input.close();
            return inType(quantConv.forward(features), image.getDataType());
        }
    }

    private NDArray encodeTiled(NDArray input, VaeTiling tiles) {
        try (NDArray down = TiledVae.encodeFeatures(encoder, input, tiles)) {
            return encoder.latent(down);
        }
    }

    /** The tiling to use for a latent of this size, or null for the plain run. */
    private VaeTiling tilingFor(long latentH, long latentW) {
        VaeTiling tiles = tiling;
        boolean tileable = tiles != null && paddingMode == PaddingMode.ZEROS && tiles.splits(latentH, latentW);
        return tileable ? tiles : null;
    }

    /** image [B, 3, H, W] in [−1, 1] (H, W multiples of 8) → the posterior over VAE-space latents. */
    public Posterior encode(NDArray image) {
        try (NDArray moments = encodeMoments(image); NDList halves = moments.split(2, 1)) {
            NDArray mean = halves.get(0).duplicate();
            NDArray logvar = halves.get(1).clip(-30f, 20f);
            NDArray std = logvar.mul(0.5f).exp();
            return new Posterior(mean, logvar, std);
        }
    }

    private static NDArray inType(NDArray x, DataType type) {
        if (x.getDataType() == type) {
            return x;
        }
        NDArray converted = x.toType(type, false);
        x.close();
        return converted;
    }

    public Attention attention() {
        return attention;
    }

    /** Zero padding (normal) or circular padding of every conv ("tiling"). */
    public void setPaddingMode(PaddingMode mode) {
        paddingMode = mode;
        convolutions.forEach(c -> c.setPaddingMode(mode));
    }

    /**
     * Tiled decode and encode for latents larger than one tile ({@link TiledVae}); null turns it off. Ignored
     * while the padding is circular.
     */
    public void setTiling(VaeTiling tiling) {
        this.tiling = tiling;
    }

    /** Who brings the weights to the compute device before the VAE runs (memory modes). */
    public void setPlacement(Placement placement) {
        this.placement = placement;
    }

    public VaeTiling tiling() {
        return tiling;
    }
}
