package io.sdfleet.diffusion.sdxl;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.sdfleet.diffusion.model.Conditioning;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import io.sdfleet.diffusion.checkpoint.SafetensorsFile;
import io.sdfleet.diffusion.checkpoint.StoredTensor;
import io.sdfleet.diffusion.clip.ClipTextModel;
import io.sdfleet.diffusion.clip.OpenClipTextModel;
import io.sdfleet.diffusion.loading.ModelSidecar;
import io.sdfleet.diffusion.nn.Weights;
import io.sdfleet.diffusion.prompt.PromptChunk;
import io.sdfleet.diffusion.prompt.TokenizedPrompt;
import io.sdfleet.diffusion.runtime.Torch;
import io.sdfleet.diffusion.testing.Reference;
import io.sdfleet.diffusion.testing.Tensors;
import io.sdfleet.diffusion.tokenizer.ClipTokenizer;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A1111's SDXL conditioning ({@code sd_models_xl.get_learned_conditioning}) of the mini base and refiner against
 * every case of {@code sdxl/cases/conditioning}: token ids exactly, each tower's chunks before emphasis, bigG's
 * pooled vector per chunk, crossattn, vector and each of its parts. Gate: max-abs ≤ 1e-4 or ≤ 1e-4 of max|x|.
 */
class SdxlConditioningReferenceTest {

    private static final String CASES = "sdxl/cases/conditioning";
    private static final double GATE = 1e-4;

    private static NDManager manager;
    private static SafetensorsFile reference;
    private static final Map<String, SafetensorsFile> checkpoints = new HashMap<>();
    private static final Map<String, Weights> roots = new HashMap<>();
    private static final Map<String, SdxlTextEncoders> encoders = new HashMap<>();
    private static final Map<String, SdxlConditioner> conditioners = new HashMap<>();

    @BeforeAll
    static void load() {
        reference = Reference.tensors(CASES + ".safetensors");
        manager = Torch.newManager(Device.cpu());
        ClipTokenizer tokenizer = ClipTokenizer.load(Reference.file("clip-tokenizer"));
        for (String model : new String[] {"mini_sdxl_base", "mini_sdxl_refiner"}) {
            String file = "sdxl/models/" + model + ".safetensors";
            SafetensorsFile checkpoint = Reference.tensors(file);
            Weights root = Weights.of(checkpoint, manager, DataType.FLOAT32);
            SdxlTextEncoders towers = SdxlTextEncoders.load(root, ModelSidecar.near(Reference.file(file))::textHeadsFor);
            checkpoints.put(model, checkpoint);
            roots.put(model, root);
            encoders.put(model, towers);
            conditioners.put(model, new SdxlConditioner(towers, tokenizer));
        }
    }

    @AfterAll
    static void close() {
        if (manager != null) {
            manager.close();
        }
        checkpoints.values().forEach(SafetensorsFile::close);
        if (reference != null) {
            reference.close();
        }
    }

    @Test
    void towersAreFoundByTheirKeysAndEveryConditionerKeyIsConsumed() {
        assertThat(encoders.get("mini_sdxl_base").isRefiner()).isFalse();
        assertThat(encoders.get("mini_sdxl_base").contextWidth()).isEqualTo(48);
        assertThat(encoders.get("mini_sdxl_refiner").isRefiner()).isTrue();
        assertThat(encoders.get("mini_sdxl_refiner").contextWidth()).isEqualTo(32);
        for (Weights root : roots.values()) {
            assertThat(root.at("conditioner.").unconsumed()).as("text_projection taken, logit_scale skipped").isEmpty();
        }
    }

    @Test
    void everyCaseMatchesA1111() {
        for (JsonNode c : Reference.json(CASES + ".json").path("cases")) {
            String name = c.path("name").asText();
            SdxlConditioner conditioner = conditioners.get(c.path("model").asText());
            String prompt = c.path("prompt").asText();
            boolean negative = c.path("is_negative_prompt").asBoolean();
            JsonNode options = c.path("options");
            SdxlSize size = SdxlSize.forImage(c.path("width").asInt(), c.path("height").asInt())
                    .withCrop(options.path("sdxl_crop_top").asInt(), options.path("sdxl_crop_left").asInt());
            try (NDManager call = manager.newSubManager()) {
                c.path("encoders").fieldNames().forEachRemaining(tower -> checkTower(call, name, conditioner,
                        tower, c.path("encoders").path(tower), prompt));

                Conditioning cond = conditioner.encode(call, prompt, negative, size);
                check(name + ".crossattn", cond.crossattn());
                check(name + ".vector", cond.vector());
                long offset = 0;
                for (JsonNode part : c.path("vector_layout")) {
                    long width = part.get(1).asLong();
                    check(name + ".vector." + part.get(0).asText(),
                            cond.vector().get(":, {}:{}", offset, offset + width));
                    offset += width;
                }
                assertThat(offset).isEqualTo(cond.vector().getShape().get(1));
                if (c.path("zeroed_text").asBoolean()) {
                    assertThat(cond.crossattn().abs().max().getFloat()).as(name + " crossattn zeroed").isZero();
                }
                assertThat(SdxlConditioner.zeroesText(prompt, negative)).isEqualTo(c.path("zeroed_text").asBoolean());
            }
        }
    }

    /** Token ids, multipliers, the unemphasised chunks and (bigG) the pooled vector of each chunk. */
    private static void checkTower(NDManager call, String name, SdxlConditioner conditioner, String tower,
                                   JsonNode expected, String prompt) {
        TextTower t = tower.equals("clip_l") ? conditioner.clipL().orElseThrow() : conditioner.bigG();
        String key = name + "." + tower;
        TokenizedPrompt tokens = t.tokenize(prompt);
        assertThat(tokens.chunks()).as(key + " chunks").hasSize(expected.path("chunks").asInt());
        assertThat(tokens.tokenCount()).as(key + " token count").isEqualTo(expected.path("token_count").asInt());
        long[] ids = reference.get(key + ".tokens").toLongs();
        for (int i = 0; i < tokens.chunks().size(); i++) {
            PromptChunk chunk = tokens.chunks().get(i);
            assertThat(chunk.tokens()).as(key + ".tokens[" + i + "]")
                    .containsExactly(Arrays.copyOfRange(ids, i * 77, (i + 1) * 77));
            JsonNode multipliers = expected.path("multipliers").get(i);
            for (int j = 0; j < chunk.multipliers().length; j++) {
                assertThat((double) chunk.multipliers()[j]).as(key + " multiplier " + i + "/" + j)
                        .isCloseTo(multipliers.get(j).asDouble(), Offset.offset(1e-6));
            }
        }
        NDList raw = new NDList();
        NDList pooled = new NDList();
        t.encode(call, tokens, (index, chunkIds, encoded) -> {
            NDArray z = encoded.toType(DataType.FLOAT32, true);
            z.attach(call);
            raw.add(z);
            if (tower.equals("clip_g")) {
                NDArray p = ((BigGPenultimate) t.encoder()).pooled(encoded, chunkIds);
                p.attach(call);
                pooled.add(p);
            }
        });
        check(key + ".z_before_emphasis", NDArrays.concat(raw, 1));
        if (!pooled.isEmpty()) {
            check(key + ".pooled_chunks", NDArrays.concat(pooled, 0));
        }
    }

    @Test
    void onlyANegativePromptThatIsExactlyEmptyIsZeroed() {
        assertThat(SdxlConditioner.zeroesText("", true)).isTrue();
        assertThat(SdxlConditioner.zeroesText(" ", true)).isFalse();
        assertThat(SdxlConditioner.zeroesText("", false)).isFalse();
        SdxlConditioner base = conditioners.get("mini_sdxl_base");
        SdxlSize size = SdxlSize.forImage(64, 64);
        try (NDManager call = manager.newSubManager()) {
            Conditioning space = base.encode(call, " ", true, size);
            Conditioning empty = base.encode(call, "", true, size);
            assertThat(empty.crossattn().getShape()).isEqualTo(space.crossattn().getShape());
            assertThat(empty.vector().getShape()).isEqualTo(space.vector().getShape());
            assertThat(space.crossattn().abs().max().getFloat()).isPositive();
            assertThat(space.vector().get(":, 0:32").abs().max().getFloat()).isPositive();
            assertThat(empty.crossattn().abs().max().getFloat()).isZero();
            assertThat(empty.vector().get(":, 0:32").abs().max().getFloat()).isZero();
            check("size features of a zeroed negative", empty.vector().get(":, 32:"), space.vector().get(":, 32:"));
        }
    }

    @Test
    void promptEditingEncodesEachScheduledTextAndZeroesAnEmptyNegativeStretch() {
        SdxlConditioner base = conditioners.get("mini_sdxl_base");
        SdxlSize size = SdxlSize.forImage(64, 64);
        try (NDManager call = manager.newSubManager();
             ScheduledConditioning scheduled = ScheduledConditioning.encode(base, call, "[:lowres:3]", 6, true, size)) {
            assertThat(scheduled.schedule()).hasSize(2);
            Conditioning later = base.encode(call, "lowres", true, size);
            assertThat(scheduled.at(0).crossattn().abs().max().getFloat()).isZero();
            check("prompt editing, last step", scheduled.at(5).crossattn(), later.crossattn());
            check("prompt editing, last step vector", scheduled.at(5).vector(), later.vector());
        }
    }

    @Test
    void intermediateStatesOfBothTowersMatchForThePlainPrompt() {
        SdxlTextEncoders towers = encoders.get("mini_sdxl_base");
        ClipTextModel clipL = towers.clipL().orElseThrow().model();
        OpenClipTextModel bigG = towers.bigG().model();
        assertThat(clipL.layerCount()).isEqualTo(3);
        try (NDManager call = manager.newSubManager()) {
            NDArray lIds = Tensors.load(reference.get("base_pos_64.clip_l.tokens"), call);
            NDArray embeddings = clipL.tokenEmbeddings(lIds);
            NDArray hidden = Tensors.load(reference.get("base_pos_64.clip_l.hidden_states"), call);
            for (int i = 0; i <= clipL.layerCount(); i++) {
                check("base_pos_64.clip_l.hidden_states[" + i + "]", clipL.hiddenState(embeddings, i),
                        hidden.get(i));
            }
            check("base_pos_64.clip_l.last_hidden_state_after_final_ln", clipL.encode(lIds, 1));

            NDArray gIds = Tensors.load(reference.get("base_pos_64.clip_g.tokens"), call);
            NDArray penultimate = bigG.hiddenState(gIds, bigG.layerCount() - 1);
            NDArray last = bigG.continueBlocks(penultimate, bigG.layerCount() - 1, bigG.layerCount());
            check("base_pos_64.clip_g.penultimate", penultimate);
            check("base_pos_64.clip_g.last", last);
            check("base_pos_64.clip_g.last", bigG.hiddenState(gIds, bigG.layerCount()));
            check("base_pos_64.clip_g.last_after_ln_final", bigG.finalLayerNorm(last));
            check("base_pos_64.clip_g.pooled", bigG.pooled(bigG.finalLayerNorm(last), gIds));
            check("base_pos_64.clip_g.pooled", towers.bigG().pooled(penultimate, gIds));
        }
    }

    private static void check(String name, NDArray actual) {
        StoredTensor expected = reference.get(name);
        double err = Tensors.maxAbs(actual, expected);
        double scale = maxAbs(expected.toFloats());
        System.out.printf("SDXL cond %-52s max-abs %.3g (max|x| %.3g)%n", name, err, scale);
        assertThat(err <= GATE || err <= GATE * scale).as(name + ": max-abs " + err + ", max|x| " + scale).isTrue();
    }

    private static void check(String name, NDArray actual, NDArray expected) {
        double err = Tensors.maxAbs(actual, expected);
        System.out.printf("SDXL cond %-52s max-abs %.3g%n", name, err);
        assertThat(err).as(name).isLessThanOrEqualTo(GATE);
    }

    private static double maxAbs(float[] values) {
        double max = 0;
        for (float v : values) {
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }
}
