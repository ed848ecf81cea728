package io.sdfleet.diffusion.loading;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.sdfleet.diffusion.checkpoint.CheckpointException;
import io.sdfleet.diffusion.checkpoint.CheckpointFiles;
import io.sdfleet.diffusion.checkpoint.ModelHash;
import io.sdfleet.diffusion.checkpoint.TensorSource;
import io.sdfleet.diffusion.nn.Weights;
import io.sdfleet.diffusion.nn.Attention;
import io.sdfleet.diffusion.vae.AutoencoderKL;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A separate VAE file used instead of the checkpoint's own (A1111's {@code sd_vae}, e.g. vae-ft-mse-840000): the
 * A1111 layouts {@code encoder.* / decoder.* / quant_conv / post_quant_conv}, or the same under
 * {@code first_stage_model.}; a training leftover {@code loss.*} is skipped, anything else unknown is refused.
 *
 * @param name   A1111's "VAE" infotext value (the file name)
 * @param hash   A1111's "VAE hash" (first 10 hex digits of the file's sha256)
 * @param source kept open while the weights are in use (safetensors weights may be mapped from the file)
 */
public record ExternalVae(String name, String hash, AutoencoderKL vae, TensorSource source) {

    /** @param scaleFactor the latent scale of the model the VAE serves (a VAE file does not say) */
    static ExternalVae load(Path file, NDManager manager, DataType precision, Attention attention, float scaleFactor) {
        TensorSource source = CheckpointFiles.open(file);
        try {
            Weights root = Weights.of(source, manager, precision);
            Weights vaeWeights = root.has(AutoencoderKL.PREFIX + "decoder.conv_in.weight") ? root.at(AutoencoderKL.PREFIX) : root;
            if (!vaeWeights.has("decoder.conv_in.weight")) {
                throw new CheckpointException(file.getFileName() + " is not a VAE: no decoder.conv_in.weight");
            }
            AutoencoderKL vae = AutoencoderKL.load(vaeWeights, attention, scaleFactor);
            for (String key : root.unconsumed()) {
                if (key.startsWith("loss.") || key.startsWith("model_ema.")) {
                    root.skip(key);
                }
            }
            if (!root.unconsumed().isEmpty()) {
                throw new CheckpointException(file.getFileName() + " has keys a VAE does not: "
                        + root.unconsumed().stream().sorted().limit(5).toList());
            }
            return new ExternalVae(file.getFileName().toString(), ModelHash.shortHash(file), vae, source);
        } catch (RuntimeException e) {
            source.close();
            throw e;
        }
    }

    /** A1111's "VAE hash" and "VAE" infotext entries, in its order. */
    public Map<String, String> infotext() {
        Map<String, String> entries = new LinkedHashMap<>();
        entries.put("VAE hash", hash);
        entries.put("VAE", name);
        return entries;
    }
}
