package io.sdfleet.diffusion.networks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.sdfleet.diffusion.checkpoint.SafetensorsFile;
import io.sdfleet.diffusion.checkpoint.SafetensorsWriter;
import io.sdfleet.diffusion.checkpoint.StoredTensor;
import io.sdfleet.diffusion.loading.ModelOptions;
import io.sdfleet.diffusion.loading.StableDiffusionModel;
import io.sdfleet.diffusion.sdxl.SdxlConditioner;
import io.sdfleet.diffusion.testing.Reference;
import io.sdfleet.diffusion.testing.Tensors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A kohya LoRA in the SDXL layout (UNet by LDM and by diffusers names, {@code lora_te1_} for CLIP-L,
 * {@code lora_te2_} for bigG with q/k/v on the thirds of {@code in_proj_weight}), written for the mini base's own
 * modules: the patched weights are W + m·(up·down)·alpha/rank computed by hand, and the patched model computes
 * what a checkpoint with those weights merged in computes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SdxlLoraTest {

    private static final String MINI = "sdxl/models/mini_sdxl_base";
    private static final double TE = 0.7;
    private static final double UNET = 0.4;
    private static final String BIG_G = "conditioner.embedders.1.model.transformer.resblocks.";
    private static final String CLIP_L = "conditioner.embedders.0.transformer.text_model.encoder.layers.";
    private static final String UNET_KEY = "model.diffusion_model.";

    /** One module of the generated file: where it goes (rows of a stacked weight: part of 3), rank and alpha. */
    private record Module(String kohyaName, String weightKey, int part, int parts, int rank, Float alpha) {
    }

    private static final List<Module> APPLIED = List.of(
            new Module("lora_unet_input_blocks_4_1_transformer_blocks_0_attn1_to_q",
                    UNET_KEY + "input_blocks.4.1.transformer_blocks.0.attn1.to_q.weight", 0, 1, 4, 2.5f),
            new Module("lora_unet_down_blocks_2_attentions_1_transformer_blocks_0_attn2_to_k", // diffusers style
                    UNET_KEY + "input_blocks.8.1.transformer_blocks.0.attn2.to_k.weight", 0, 1, 2, 1f),
            new Module("lora_unet_output_blocks_2_2_conv", UNET_KEY + "output_blocks.2.2.conv.weight", 0, 1, 3, 3f),
            new Module("lora_unet_label_emb_0_0", UNET_KEY + "label_emb.0.0.weight", 0, 1, 2, null),
            new Module("lora_te1_text_model_encoder_layers_0_self_attn_q_proj",
                    CLIP_L + "0.self_attn.q_proj.weight", 0, 1, 4, 4f),
            new Module("lora_te1_text_model_encoder_layers_1_mlp_fc1", CLIP_L + "1.mlp.fc1.weight", 0, 1, 2, 1f),
            new Module("lora_te2_text_model_encoder_layers_0_self_attn_q_proj",
                    BIG_G + "0.attn.in_proj_weight", 0, 3, 4, 2f),
            new Module("lora_te2_text_model_encoder_layers_0_self_attn_k_proj",
                    BIG_G + "0.attn.in_proj_weight", 1, 3, 2, 1f),
            new Module("lora_te2_text_model_encoder_layers_0_self_attn_v_proj",
                    BIG_G + "0.attn.in_proj_weight", 2, 3, 4, 8f),
            new Module("lora_te2_text_model_encoder_layers_0_self_attn_out_proj",
                    BIG_G + "0.attn.out_proj.weight", 0, 1, 2, 1f),
            new Module("lora_te2_text_model_encoder_layers_1_mlp_fc2", BIG_G + "1.mlp.c_proj.weight", 0, 1, 4, 2f));

    /** A1111 patches bigG's attention only when q, k, v and out are all there; a lone q is not applied. */
    private static final Module LONE_Q = new Module("lora_te2_text_model_encoder_layers_2_self_attn_q_proj",
            BIG_G + "2.attn.in_proj_weight", 0, 3, 2, 1f);

    private StableDiffusionModel model;
    private Path root;
    private final Map<String, float[]> down = new HashMap<>();
    private final Map<String, float[]> up = new HashMap<>();

    @BeforeAll
    void load(@TempDir Path dir) {
        root = dir;
        model = StableDiffusionModel.load(Reference.file(MINI + ".safetensors"),
                ModelOptions.cpu(Reference.file("clip-tokenizer")));
        writeLora(dir.resolve("Lora").resolve("sdxl_lora.safetensors"));
    }

    @AfterAll
    void close() {
        if (model != null) {
            model.close();
        }
    }

    @Test
    void namesOfTheMiniBaseReachTheirWeights() {
        LoraTargets targets = new LoraTargets(model.parameterKeys());
        for (Module m : APPLIED) {
            LoraTarget target = targets.target(m.kohyaName()).orElseThrow(() -> new AssertionError(m.kohyaName()));
            assertThat(target.weightKey()).as(m.kohyaName()).isEqualTo(m.weightKey());
            assertThat(target.part()).as(m.kohyaName()).isEqualTo(m.part());
            assertThat(target.parts()).as(m.kohyaName()).isEqualTo(m.parts());
        }
        assertThat(KohyaNames.appliedTogether(LONE_Q.kohyaName())).hasSize(4);
        // SD 1.x's text-encoder prefix names nothing in SDXL (A1111 maps it to SD 2's open_clip names, absent here)
        assertThat(targets.target("lora_te_text_model_encoder_layers_0_self_attn_q_proj")).isEmpty();
    }

    @Test
    void patchedWeightsAreTheBasePlusTheHandComputedUpdatesAndTheModelIsRestored() {
        Map<String, float[]> base = new LinkedHashMap<>();
        APPLIED.forEach(m -> base.putIfAbsent(m.weightKey(), floats(m.weightKey())));
        base.put(LONE_Q.weightKey(), floats(LONE_Q.weightKey()));
        Map<String, ByteBuffer> before = new HashMap<>();
        base.keySet().forEach(k -> before.put(k, model.parameter(k).orElseThrow().toByteBuffer().duplicate()));
        Map<String, float[]> expected = merged(base);

        Networks networks = new Networks(model, NetworkDirectories.under(root));
        try (Networks.Active active = networks.activate("a cat <lora:sdxl_lora:" + TE + ":" + UNET + ">")) {
            assertThat(active.prompt()).isEqualTo("a cat "); // A1111 leaves the space before the tag
            assertThat(active.loras().unmatched()).containsExactlyInAnyOrder(LONE_Q.kohyaName(), "lora_unet_no_such_module");
            assertThat(active.loras().patchedWeights()).isEqualTo(9);
            for (Map.Entry<String, float[]> e : expected.entrySet()) {
                float[] patched = floats(e.getKey());
                double error = Tensors.maxAbs(patched, e.getValue());
                double change = Tensors.maxAbs(patched, base.get(e.getKey()));
                System.out.printf("SDXL LoRA %s: max |W' - (W + m·up·down·alpha/r)| %.2e (max |Δ| %.2e)%n",
                        e.getKey(), error, change);
                assertThat(error).as(e.getKey()).isLessThanOrEqualTo(2e-6);
                assertThat(change).as(e.getKey() + " changed").isGreaterThan(1e-3);
            }
            assertThat(floats(LONE_Q.weightKey())).as("layer 2's in_proj, only q given")
                    .isEqualTo(base.get(LONE_Q.weightKey()));
        }
        before.forEach((key, bytes) ->
                assertThat(model.parameter(key).orElseThrow().toByteBuffer()).as(key).isEqualTo(bytes));
    }

    /**
     * The patched layers compute with the patched arrays: bigG's fused q/k/v projection included. The conditioning
     * and the UNet's eps equal those of a checkpoint with the weights merged into the file.
     */
    @Test
    void thePatchedModelComputesWhatTheMergedCheckpointComputes(@TempDir Path dir) throws Exception {
        Map<String, float[]> base = new LinkedHashMap<>();
        APPLIED.forEach(m -> base.putIfAbsent(m.weightKey(), floats(m.weightKey())));
        Map<String, float[]> merged = merged(base);
        Path mergedFile = dir.resolve("mini_sdxl_base_merged.safetensors");
        SafetensorsWriter writer = new SafetensorsWriter();
        try (SafetensorsFile original = SafetensorsFile.open(Reference.file(MINI + ".safetensors"))) {
            for (StoredTensor t : original.tensors()) {
                float[] values = merged.get(t.name());
                if (values != null) {
                    writer.putFloats(t.name(), t.shape(), values);
                } else {
                    writer.put(t);
                }
            }
            writer.write(mergedFile);
        }
        Files.copy(Reference.file(MINI + ".json"), dir.resolve("mini_sdxl_base_merged.json"));

        SafetensorsFile unetCase = Reference.tensors("sdxl/cases/unet.safetensors");
        String prompt = "a photo of a cat, highly detailed";
        try (StableDiffusionModel reference = StableDiffusionModel.load(mergedFile,
                ModelOptions.cpu(Reference.file("clip-tokenizer")));
             NDManager call = model.manager().newSubManager()) {
            Outputs plain = outputs(model, prompt, unetCase, call);
            Outputs expected = outputs(reference, prompt, unetCase, call);
            Outputs patched;
            try (Networks.Active active = new Networks(model, NetworkDirectories.under(root))
                    .activate(prompt + " <lora:sdxl_lora:" + TE + ":" + UNET + ">")) {
                assertThat(active.prompt()).isEqualTo(prompt + " ");
                patched = outputs(model, prompt, unetCase, call);
            }
            Outputs restored = outputs(model, prompt, unetCase, call);
            report("crossattn", patched.crossattn(), expected.crossattn(), plain.crossattn());
            report("pooled", patched.pooled(), expected.pooled(), plain.pooled());
            report("UNet eps", patched.eps(), expected.eps(), plain.eps());
            assertThat(Tensors.maxAbs(restored.crossattn(), plain.crossattn())).isZero();
            assertThat(Tensors.maxAbs(restored.eps(), plain.eps())).isZero();
        }
    }

    /** What the test compares: the text conditioning (both towers) and one UNet call on the reference inputs. */
    private record Outputs(NDArray crossattn, NDArray pooled, NDArray eps) {
    }

    private static Outputs outputs(StableDiffusionModel m, String prompt, SafetensorsFile unetCase, NDManager call) {
        SdxlConditioner conditioner = new SdxlConditioner(m.sdxlTextEncoders().orElseThrow(), m.tokenizer());
        SdxlConditioner.TextConditioning text = conditioner.encodeText(call, prompt);
        NDArray eps = m.unet().predict(Tensors.load(unetCase.get("base_a.x"), call),
                Tensors.load(unetCase.get("base_a.t"), call), Tensors.load(unetCase.get("base_a.context"), call),
                Tensors.load(unetCase.get("base_a.y"), call));
        return new Outputs(text.crossattn(), text.pooled(), eps);
    }

    private static void report(String what, NDArray patched, NDArray merged, NDArray plain) {
        double error = Tensors.maxAbs(patched, merged);
        double effect = Tensors.maxAbs(patched, plain);
        System.out.printf("SDXL LoRA %s: max |patched - merged checkpoint| %.2e (LoRA moved it by %.2e)%n",
                what, error, effect);
        assertThat(error).as(what).isLessThanOrEqualTo(1e-5 * Math.max(1, effect));
        assertThat(effect).as(what + ": the LoRA has an effect").isGreaterThan(1e-3);
    }

    /** W + m·(up·down)·alpha/r, in double, for every weight the applied modules touch (q/k/v on their rows). */
    private Map<String, float[]> merged(Map<String, float[]> base) {
        Map<String, double[]> sums = new LinkedHashMap<>();
        for (Module m : APPLIED) {
            float[] w = base.get(m.weightKey());
            double[] sum = sums.computeIfAbsent(m.weightKey(), k -> {
                double[] d = new double[w.length];
                for (int i = 0; i < w.length; i++) {
                    d[i] = w[i];
                }
                return d;
            });
            long[] shape = model.parameter(m.weightKey()).orElseThrow().getShape().getShape();
            int rows = Math.toIntExact(shape[0] / m.parts());
            int inner = w.length / Math.toIntExact(shape[0]);
            double scale = (m.alpha() == null ? 1.0 : m.alpha() / m.rank())
                    * (m.kohyaName().startsWith("lora_te") ? TE : UNET);
            float[] u = up.get(m.kohyaName());
            float[] d = down.get(m.kohyaName());
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < inner; c++) {
                    double dot = 0;
                    for (int k = 0; k < m.rank(); k++) {
                        dot += (double) u[r * m.rank() + k] * d[k * inner + c];
                    }
                    sum[(m.part() * rows + r) * inner + c] += dot * scale;
                }
            }
        }
        Map<String, float[]> out = new LinkedHashMap<>();
        sums.forEach((key, d) -> {
            float[] f = new float[d.length];
            for (int i = 0; i < d.length; i++) {
                f[i] = (float) d[i];
            }
            out.put(key, f);
        });
        return out;
    }

    /** The LoRA file: random low-rank factors of each module's real shape (convs: down [r, in, kh, kw]). */
    private void writeLora(Path file) {
        Random random = new Random(20261204);
        SafetensorsWriter writer = new SafetensorsWriter();
        List<Module> all = new ArrayList<>(APPLIED);
        all.add(LONE_Q);
        for (Module m : all) {
            long[] shape = model.parameter(m.weightKey()).orElseThrow().getShape().getShape();
            long rows = shape[0] / m.parts();
            long[] downShape = shape.clone();
            downShape[0] = m.rank();
            long[] upShape = shape.length == 4 ? new long[] {rows, m.rank(), 1, 1} : new long[] {rows, m.rank()};
            float[] d = gaussian(random, Math.toIntExact(StoredTensor.elementCount(downShape)), 0.5);
            float[] u = gaussian(random, Math.toIntExact(StoredTensor.elementCount(upShape)), 0.5);
            down.put(m.kohyaName(), d);
            up.put(m.kohyaName(), u);
            writer.putFloats(m.kohyaName() + ".lora_down.weight", downShape, d);
            writer.putFloats(m.kohyaName() + ".lora_up.weight", upShape, u);
            if (m.alpha() != null) {
                writer.putFloats(m.kohyaName() + ".alpha", new long[0], new float[] {m.alpha()});
            }
        }
        writer.putFloats("lora_unet_no_such_module.lora_down.weight", new long[] {2, 4}, new float[8]);
        writer.putFloats("lora_unet_no_such_module.lora_up.weight", new long[] {4, 2}, new float[8]);
        writer.metadata("ss_base_model_version", "sdxl_base_v1-0");
        try {
            Files.createDirectories(file.getParent());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        writer.write(file);
    }

    private static float[] gaussian(Random random, int n, double std) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (random.nextGaussian() * std);
        }
        return out;
    }

    private float[] floats(String key) {
        return model.parameter(key).orElseThrow().toFloatArray();
    }
}
