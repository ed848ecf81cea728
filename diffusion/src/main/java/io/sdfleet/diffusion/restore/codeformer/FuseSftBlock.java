package io.sdfleet.diffusion.restore.codeformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Activation;
import io.sdfleet.diffusion.nn.Conv2d;
import io.sdfleet.diffusion.nn.PaddingMode;
import io.sdfleet.diffusion.nn.Weights;

/**
 * CodeFormer's controllable feature transformation ({@code Fuse_sft_block}, {@code fuse_convs_dict.<size>}):
 * e = ResBlock(cat(enc, dec)); scale and shift are conv → LeakyReLU(0.2) → conv of e;
 * out = dec + w·(dec·scale + shift). w is the fidelity weight: 0 keeps the decoder's features as they are.
 */
final class FuseSftBlock {

    private static final float SLOPE = 0.2f;

    private final VqResBlock encodeEnc;
    private final Conv2d scale0;
    private final Conv2d scale2;
    private final Conv2d shift0;
    private final Conv2d shift2;

    FuseSftBlock(Weights w) {
        encodeEnc = new VqResBlock(w.at("encode_enc"));
        scale0 = Conv2d.load(w.at("scale.0"), 1, 1);
        scale2 = Conv2d.load(w.at("scale.2"), 1, 1);
        shift0 = Conv2d.load(w.at("shift.0"), 1, 1);
        shift2 = Conv2d.load(w.at("shift.2"), 1, 1);
    }

    /** enc and dec [N, C, H, W] → [N, C, H, W] in enc's manager (callers scope it). */
    NDArray forward(NDArray enc, NDArray dec, float w) {
        NDArray e = encodeEnc.forward(NDArrays.concat(new NDList(enc, dec), 1));
        NDArray scale = scale2.forward(Activation.leakyRelu(scale0.forward(e, PaddingMode.ZEROS), SLOPE),
                PaddingMode.ZEROS);
        NDArray shift = shift2.forward(Activation.leakyRelu(shift0.forward(e, PaddingMode.ZEROS), SLOPE),
                PaddingMode.ZEROS);
        NDArray residual = dec.mul(scale).add(shift).mul(w);
        return dec.add(residual);
    }
}
