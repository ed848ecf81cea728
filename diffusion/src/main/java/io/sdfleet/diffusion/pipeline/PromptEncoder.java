package io.sdfleet.diffusion.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.tokenizer.ClipTokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns a prompt into the UNet's text conditioning [1, 77·k, C]: token ids in chunks of 75 between BOS and EOS,
 * each chunk through the CLIP text model, the chunks joined along the token axis.
 */
final class PromptEncoder {

    /** Conditioning that may change with the sampling step (prompt editing); this one does not. */
    interface Conditioning {
        NDArray at(int step);
    }

    private final StableDiffusionModel model;

    PromptEncoder(StableDiffusionModel model) {
        this.model = model;
    }

    Conditioning encode(NDManager manager, String prompt, int steps, int clipSkip) {
        ClipTokenizer tokenizer = model.tokenizer();
        int[] ids = tokenizer.encode(prompt);
        List<long[]> chunks = new ArrayList<>();
        for (int start = 0; start < Math.max(1, ids.length); start += 75) {
            long[] chunk = new long[77];
            Arrays.fill(chunk, tokenizer.eos());
            chunk[0] = tokenizer.bos();
            for (int i = start; i < Math.min(ids.length, start + 75); i++) {
                chunk[1 + i - start] = ids[i];
            }
            chunks.add(chunk);
        }
        NDList encoded = new NDList();
        for (long[] chunk : chunks) {
            NDArray tokens = manager.create(chunk, new Shape(1, 77));
            encoded.add(model.textModel().encode(tokens, clipSkip).toType(DataType.FLOAT32, false));
        }
        NDArray cond = encoded.size() == 1 ? encoded.get(0) : NDArrays.concat(encoded, 1);
        cond.attach(manager);
        return step -> cond;
    }
}
