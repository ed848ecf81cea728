package io.sdfleet.diffusion.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import io.sdfleet.diffusion.clip.ClipTextModel;
import io.sdfleet.diffusion.sdxl.ClipLPenultimate;
import io.sdfleet.diffusion.sdxl.FourierFeatures;
import io.sdfleet.diffusion.sdxl.SdxlSize;
import io.sdfleet.diffusion.sdxl.SdxlTextEncoders;

/**
 * The text stage a benchmark times: token ids [2, 77] (cond and uncond) → {@link BenchConditioning}, created in
 * the tokens' manager (the caller's scope). The cost of the towers does not depend on the words, so no tokenizer is needed.
 */
@FunctionalInterface
public interface BenchConditioner {

    BenchConditioning encode(NDArray tokens);

    /** SD 1.x: the CLIP text model's last hidden state, no vector. */
    static BenchConditioner clip(ClipTextModel text) {
        return tokens -> new BenchConditioning(text.encode(tokens, 1).toType(DataType.FLOAT32, false), null);
    }

    /**
     * SDXL base: CLIP-L and bigG penultimate states concatenated on channels, y = [bigG pooled | Fourier features
     * of original size, crop, target size] as A1111 conditions a {@code width}×{@code height} image.
     */
    static BenchConditioner sdxl(SdxlTextEncoders towers, int width, int height) {
        ClipLPenultimate clipL = towers.clipL().orElseThrow(
                () -> new IllegalArgumentException("the SDXL benchmark times the base, which has CLIP-L"));
        SdxlSize size = SdxlSize.forImage(width, height);
        return tokens -> {
            NDArray l = clipL.encode(tokens, 1);
            NDArray g = towers.bigG().encode(tokens, 1);
            NDArray context = NDArrays.concat(new NDList(l, g), 2).toType(DataType.FLOAT32, false);
            NDArray pooled = towers.bigG().pooled(g, tokens).toType(DataType.FLOAT32, false);
            NDArray sizes = FourierFeatures.of(tokens.getManager(), size.originalHeight(), size.originalWidth(), size.cropTop(),
                    size.cropLeft(), size.targetHeight(), size.targetWidth());
            NDArray vector = pooled.concat(sizes.repeat(0, pooled.getShape().get(0)), 1);
            return new BenchConditioning(context, vector);
        };
    }
}
