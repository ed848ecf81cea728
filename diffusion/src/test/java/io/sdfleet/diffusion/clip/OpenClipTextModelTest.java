package io.sdfleet.diffusion.clip;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import io.sdfleet.diffusion.checkpoint.SafetensorsFile;
import io.sdfleet.diffusion.checkpoint.StoredTensor;
import io.sdfleet.diffusion.nn.Weights;
import io.sdfleet.diffusion.loading.ModelSidecar;
import io.sdfleet.diffusion.prompt.PromptChunker;
import io.sdfleet.diffusion.prompt.TokenizedPrompt;
import io.sdfleet.diffusion.runtime.Torch;
import io.sdfleet.diffusion.testing.Reference;
import io.sdfleet.diffusion.testing.Tensors;
import io.sdfleet.diffusion.tokenizer.ClipTokenizer;
import org.junit.jupiter.api.Test;

import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The SD 2.x OpenCLIP text tower of the part-2 mini model against case sd2v_C: gate rel 1e-4 of max|x|. */
class OpenClipTextModelTest {

    private static final String CASE = "features/cases/sd2v_C";
    private static final String MODEL = "features/models/mini_sd2v.safetensors";
    private static final double REL_TOLERANCE = 1e-4;

    @Test
    void hiddenStatesPenultimateCondAndLastLayerMatchTheReference() {
        try (SafetensorsFile ref = Reference.tensors(CASE + ".safetensors");
             SafetensorsFile checkpoint = Reference.tensors(MODEL);
             NDManager m = Torch.newManager(Device.cpu())) {
            Weights w = Weights.of(checkpoint, m, DataType.FLOAT32).at(OpenClipTextModel.PREFIX);
            int heads = ModelSidecar.near(Reference.file(MODEL)).textHeadsFor(w.shape("token_embedding.weight")[1]);
            assertThat(heads).as("mini model: 4 heads of 16").isEqualTo(4);
            OpenClipTextModel text = OpenClipTextModel.load(w, heads);
            assertThat(text.layerCount()).isEqualTo(4);
            assertThat(text.width()).isEqualTo(64);
            assertThat(w.unconsumed()).as("text_projection and logit_scale count as consumed").isEmpty();
            try (NDManager call = m.newSubManager()) {
                NDArray ids = ids(ref.get("cond_ids"), call);
                for (int i = 0; i <= text.layerCount(); i++) {
                    assertClose("hidden_states_" + i, text.hiddenState(ids, i), ref.get("hidden_states_" + i));
                }
                assertClose("cond", text.encode(ids, 1), ref.get("cond"));
                assertClose("cond_last_layer", text.finalLayerNorm(text.hiddenState(ids, text.layerCount())),
                        ref.get("cond_last_layer"));
                assertClose("uncond", text.encode(ids(ref.get("uncond_ids"), call), 1), ref.get("uncond"));
            }
        }
    }

    @Test
    void clipSkipLeavesTheSd2ConditioningAtThePenultimateLayerLikeA1111() {
        try (SafetensorsFile ref = Reference.tensors(CASE + ".safetensors");
             SafetensorsFile checkpoint = Reference.tensors(MODEL);
             NDManager m = Torch.newManager(Device.cpu())) {
            OpenClipTextModel text = OpenClipTextModel.load(
                    Weights.of(checkpoint, m, DataType.FLOAT32).at(OpenClipTextModel.PREFIX), 4);
            try (NDManager call = m.newSubManager()) {
                NDArray ids = ids(ref.get("cond_ids"), call);
                NDArray skip1 = text.encode(ids, 1);
                assertThat(Tensors.maxAbs(text.encode(ids, 2), skip1)).isZero();
                assertThat(Tensors.maxAbs(text.encode(ids, 3), skip1)).isZero();
            }
        }
    }

    @Test
    void promptChunksArePaddedWithZeroAfterTheFirstEndOfText() {
        JsonNode json = Reference.json(CASE + ".json");
        ClipTokenizer tokenizer = ClipTokenizer.load(Reference.file("clip-tokenizer"));
        PromptChunker chunker = new PromptChunker(tokenizer, OptionalLong.of(OpenClipTextModel.PAD_ID));
        try (SafetensorsFile ref = Reference.tensors(CASE + ".safetensors")) {
            TokenizedPrompt cond = chunker.tokenize(json.path("prompt").asText());
            TokenizedPrompt uncond = chunker.tokenize(json.path("negative_prompt").asText());
            assertThat(cond.chunks()).hasSize(1);
            assertThat(cond.chunks().get(0).tokens()).containsExactly(ref.get("cond_ids").toLongs());
            assertThat(uncond.chunks().get(0).tokens()).containsExactly(ref.get("uncond_ids").toLongs());
        }
    }

    private static NDArray ids(StoredTensor stored, NDManager m) {
        return Tensors.load(stored, m).reshape(1, -1);
    }

    private static void assertClose(String name, NDArray actual, StoredTensor expected) {
        double err = Tensors.maxAbs(actual, expected);
        double scale = maxAbs(expected.toFloats());
        System.out.printf("OpenCLIP %-16s max-abs %.3g (rel %.3g, max|x| %.3g)%n", name, err, err / scale, scale);
        assertThat(err / scale).as(name).isLessThan(REL_TOLERANCE);
    }

    private static double maxAbs(float[] values) {
        double max = 0;
        for (float v : values) {
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }
}
