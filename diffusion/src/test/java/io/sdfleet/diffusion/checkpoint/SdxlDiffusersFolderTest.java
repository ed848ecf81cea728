package io.sdfleet.diffusion.checkpoint;

import ai.djl.ndarray.NDManager;
import io.sdfleet.diffusion.loading.ModelOptions;
import io.sdfleet.diffusion.loading.ModelType;
import io.sdfleet.diffusion.loading.StableDiffusionModel;
import io.sdfleet.diffusion.testing.Reference;
import io.sdfleet.diffusion.testing.Tensors;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The SDXL minis written as diffusers folders (unet/, vae/, text_encoder/, text_encoder_2/ as
 * CLIPTextModelWithProjection) read back in the single-file layout, byte for byte, and load as the same models.
 */
class SdxlDiffusersFolderTest {

    /** Single-file keys a diffusers folder has no place for. */
    private static final Set<String> NOT_IN_DIFFUSERS = Set.of("denoiser.sigmas",
            SdxlKeys.BIG_G + "logit_scale", SdxlKeys.REFINER_BIG_G + "logit_scale");

    @ParameterizedTest
    @CsvSource({"mini_sdxl_base, SDXL, base_a", "mini_sdxl_refiner, SDXL_REFINER, refiner_a"})
    void aDiffusersFolderOfTheMiniReadsBackAndLoadsAsTheSingleFile(String mini, ModelType type, String unetCase,
                                                                  @TempDir Path dir) throws IOException {
        Path folder = dir.resolve(mini);
        Set<String> converted;
        try (SafetensorsFile ldm = Reference.tensors("sdxl/models/" + mini + ".safetensors")) {
            converted = writeDiffusers(ldm, folder);
        }
        Files.copy(Reference.file("sdxl/models/" + mini + ".json"), dir.resolve(mini + ".json")); // UNet heads

        try (SafetensorsFile ldm = Reference.tensors("sdxl/models/" + mini + ".safetensors");
             TensorSource view = CheckpointFiles.open(folder)) {
            assertThat(view).isInstanceOf(DiffusersFolder.class);
            assertThat(new TreeSet<>(view.keys())).isEqualTo(converted);
            for (String key : converted) {
                StoredTensor expected = ldm.get(key);
                StoredTensor actual = view.get(key);
                assertThat(actual.type()).as(key).isEqualTo(expected.type());
                assertThat(actual.shape()).as(key).containsExactly(expected.shape());
                assertThat(TorchCheckpointTest.bytes(actual)).as(key).isEqualTo(TorchCheckpointTest.bytes(expected));
            }
        }

        SafetensorsFile ref = Reference.tensors("sdxl/cases/unet.safetensors");
        try (StableDiffusionModel model = StableDiffusionModel.load(folder, ModelOptions.cpu(null))) {
            assertThat(model.type()).isEqualTo(type);
            try (NDManager call = model.manager().newSubManager()) {
                double eps = Tensors.maxAbs(model.unet().predict(Tensors.load(ref.get(unetCase + ".x"), call),
                        Tensors.load(ref.get(unetCase + ".t"), call), Tensors.load(ref.get(unetCase + ".context"), call),
                        Tensors.load(ref.get(unetCase + ".y"), call)), ref.get(unetCase + ".eps"));
                System.out.printf("%s as a diffusers folder: UNet eps max-abs %.3g%n", mini, eps);
                assertThat(eps).isLessThan(1e-4);
            }
        }
    }

    /** Writes the folder; returns the single-file keys it holds. */
    private static Set<String> writeDiffusers(SafetensorsFile ldm, Path folder) {
        SafetensorsWriter unet = new SafetensorsWriter();
        SafetensorsWriter vae = new SafetensorsWriter();
        SafetensorsWriter clipL = new SafetensorsWriter();
        SafetensorsWriter bigG = new SafetensorsWriter();
        Set<String> converted = new TreeSet<>();
        boolean refiner = ldm.keys().stream().noneMatch(k -> k.startsWith(SdxlKeys.CLIP_L));
        String bigGPrefix = refiner ? SdxlKeys.REFINER_BIG_G : SdxlKeys.BIG_G;
        for (String key : ldm.keys()) {
            StoredTensor t = ldm.get(key);
            if (NOT_IN_DIFFUSERS.contains(key)) {
                continue;
            }
            if (key.startsWith("model.diffusion_model.")) {
                unet.put(renamed(t, SdxlUNetNames.diffusers(key.substring("model.diffusion_model.".length()))));
            } else if (key.startsWith("first_stage_model.")) {
                String name = DiffusersFolderTest.LdmToDiffusers.vae(key.substring("first_stage_model.".length()));
                boolean linear = name.matches(".*mid_block\\.attentions\\.0\\.(to_q|to_k|to_v|to_out\\.0)\\.weight");
                vae.put(new StoredTensor(name, t.type(), linear ? new long[] {t.shape()[0], t.shape()[1]} : t.shape(),
                        t.data()));
            } else if (!refiner && key.startsWith(SdxlKeys.CLIP_L)) {
                clipL.put(renamed(t, key.substring(SdxlKeys.CLIP_L.length())));
            } else if (key.startsWith(bigGPrefix)) {
                OpenClipToHf.put(bigG, key.substring(bigGPrefix.length()), t);
            } else {
                throw new AssertionError("unexpected key " + key);
            }
            converted.add(key);
        }
        bigG.putLongs("text_model.embeddings.position_ids", new long[] {1, 77},
                java.util.stream.LongStream.range(0, 77).toArray());
        unet.write(folder.resolve("unet/diffusion_pytorch_model.safetensors"));
        vae.write(folder.resolve("vae/diffusion_pytorch_model.safetensors"));
        if (!refiner) {
            clipL.write(folder.resolve("text_encoder/model.safetensors"));
        }
        bigG.write(folder.resolve("text_encoder_2/model.safetensors"));
        return converted;
    }

    private static StoredTensor renamed(StoredTensor t, String name) {
        return new StoredTensor(name, t.type(), t.shape(), t.data());
    }

    /**
     * The test's own LDM → diffusers UNet naming for any level count (the conversion script's rule): input block
     * b ≥ 1 is level (b−1)/(R+1), slot (b−1)%(R+1) (R resnets, then the downsampler); output block b is up level
     * b/(R+1), slot b%(R+1); inside, child 0 the resnet, 1 the transformer or the upsampler, 2 the upsampler.
     */
    static final class SdxlUNetNames {
        private static final int RES_BLOCKS = 2;
        private static final Pattern BLOCK = Pattern.compile("(input_blocks|output_blocks|middle_block)\\.(?:(\\d+)\\.)?(\\d+)\\.(.+)");
        private static final Map<String, String> RESNET = Map.of(
                "in_layers.0.", "norm1.", "in_layers.2.", "conv1.", "out_layers.0.", "norm2.",
                "out_layers.3.", "conv2.", "emb_layers.1.", "time_emb_proj.", "skip_connection.", "conv_shortcut.");
        private static final Map<String, String> TOP = Map.of(
                "time_embed.0.", "time_embedding.linear_1.", "time_embed.2.", "time_embedding.linear_2.",
                "label_emb.0.0.", "add_embedding.linear_1.", "label_emb.0.2.", "add_embedding.linear_2.",
                "input_blocks.0.0.", "conv_in.", "out.0.", "conv_norm_out.", "out.2.", "conv_out.");

        static String diffusers(String key) {
            for (Map.Entry<String, String> e : TOP.entrySet()) {
                if (key.startsWith(e.getKey())) {
                    return e.getValue() + key.substring(e.getKey().length());
                }
            }
            Matcher m = BLOCK.matcher(key);
            if (!m.matches()) {
                throw new AssertionError("no diffusers name for UNet key " + key);
            }
            int child = Integer.parseInt(m.group(3));
            String rest = m.group(4);
            if (m.group(1).equals("middle_block")) {
                return child == 1 ? "mid_block.attentions.0." + rest
                        : "mid_block.resnets." + child / 2 + "." + replaceStart(rest, RESNET);
            }
            int block = Integer.parseInt(m.group(2));
            boolean down = m.group(1).equals("input_blocks");
            int level = down ? (block - 1) / (RES_BLOCKS + 1) : block / (RES_BLOCKS + 1);
            int slot = down ? (block - 1) % (RES_BLOCKS + 1) : block % (RES_BLOCKS + 1);
            String prefix = (down ? "down_blocks." : "up_blocks.") + level + ".";
            if (down && slot == RES_BLOCKS) {
                return prefix + "downsamplers.0.conv." + rest.substring("op.".length());
            }
            if (child == 0) {
                return prefix + "resnets." + slot + "." + replaceStart(rest, RESNET);
            }
            if (rest.startsWith("conv.")) {
                return prefix + "upsamplers.0." + rest;
            }
            return prefix + "attentions." + slot + "." + rest;
        }

        private static String replaceStart(String rest, Map<String, String> names) {
            for (Map.Entry<String, String> e : names.entrySet()) {
                if (rest.startsWith(e.getKey())) {
                    return e.getValue() + rest.substring(e.getKey().length());
                }
            }
            return rest;
        }
    }

    /** open_clip → HF CLIPTextModelWithProjection, as diffusers' converted SDXL folders hold it. */
    static final class OpenClipToHf {
        private static final Pattern BLOCK = Pattern.compile("transformer\\.resblocks\\.(\\d+)\\.(.+)");
        private static final Map<String, String> LAYER = Map.of(
                "ln_1.", "layer_norm1.", "ln_2.", "layer_norm2.", "mlp.c_fc.", "mlp.fc1.", "mlp.c_proj.", "mlp.fc2.",
                "attn.out_proj.", "self_attn.out_proj.");

        static void put(SafetensorsWriter out, String key, StoredTensor t) {
            switch (key) {
                case "token_embedding.weight" -> out.put(renamed(t, "text_model.embeddings.token_embedding.weight"));
                case "positional_embedding" -> out.put(renamed(t, "text_model.embeddings.position_embedding.weight"));
                case "ln_final.weight" -> out.put(renamed(t, "text_model.final_layer_norm.weight"));
                case "ln_final.bias" -> out.put(renamed(t, "text_model.final_layer_norm.bias"));
                case "text_projection" -> out.put(transposed(t, "text_projection.weight"));
                default -> block(out, key, t);
            }
        }

        private static void block(SafetensorsWriter out, String key, StoredTensor t) {
            Matcher m = BLOCK.matcher(key);
            if (!m.matches()) {
                throw new AssertionError("no HF name for open_clip key " + key);
            }
            String prefix = "text_model.encoder.layers." + m.group(1) + ".";
            String rest = m.group(2);
            for (Map.Entry<String, String> e : LAYER.entrySet()) {
                if (rest.startsWith(e.getKey())) {
                    out.put(renamed(t, prefix + e.getValue() + rest.substring(e.getKey().length())));
                    return;
                }
            }
            String param = rest.equals("attn.in_proj_weight") ? "weight" : rest.equals("attn.in_proj_bias") ? "bias" : null;
            if (param == null) {
                throw new AssertionError("no HF name for open_clip key " + key);
            }
            int third = t.data().remaining() / 3;
            long[] shape = t.shape().clone();
            shape[0] /= 3;
            String[] names = {"q", "k", "v"};
            for (int i = 0; i < 3; i++) {
                ByteBuffer part = t.data().duplicate().position(i * third).limit((i + 1) * third).slice();
                out.put(new StoredTensor(prefix + "self_attn." + names[i] + "_proj." + param, t.type(), shape, part));
            }
        }

        private static StoredTensor transposed(StoredTensor t, String name) {
            int rows = Math.toIntExact(t.shape()[0]);
            int cols = Math.toIntExact(t.shape()[1]);
            int size = t.type().bytes();
            ByteBuffer out = ByteBuffer.allocate(t.data().remaining()).order(ByteOrder.LITTLE_ENDIAN);
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    for (int b = 0; b < size; b++) {
                        out.put((c * rows + r) * size + b, t.data().get((r * cols + c) * size + b));
                    }
                }
            }
            return new StoredTensor(name, t.type(), new long[] {cols, rows}, out);
        }
    }
}
