package io.sdfleet.diffusion.checkpoint;

import io.sdfleet.diffusion.testing.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

class DiffusersFolderTest {

    @Test
    void diffusersFolderMadeFromTheMiniCheckpointReadsBackInLdmLayout(@TempDir Path dir) {
        SafetensorsFile ldm = Reference.tensors("mini_sd15_fp32.safetensors");
        SafetensorsWriter unet = new SafetensorsWriter();
        SafetensorsWriter vae = new SafetensorsWriter();
        TorchZipWriter textEncoder = new TorchZipWriter(); // written as pytorch_model.bin, a torch zip
        Set<String> converted = new TreeSet<>();
        for (String key : ldm.keys()) {
            StoredTensor t = ldm.get(key);
            if (key.startsWith("model.diffusion_model.")) {
                unet.put(renamed(t, LdmToDiffusers.unet(key.substring("model.diffusion_model.".length())), t.shape()));
            } else if (key.startsWith("first_stage_model.")) {
                String name = LdmToDiffusers.vae(key.substring("first_stage_model.".length()));
                // diffusers keeps the mid-block attention projections as Linear weights [C, C]
                boolean linear = name.matches(".*mid_block\\.attentions\\.0\\.(to_q|to_k|to_v|to_out\\.0)\\.weight");
                vae.put(renamed(t, name, linear ? new long[] {t.shape()[0], t.shape()[1]} : t.shape()));
            } else if (key.startsWith("cond_stage_model.transformer.")) {
                textEncoder.tensor(renamed(t, key.substring("cond_stage_model.transformer.".length()), t.shape()));
            } else {
                continue; // DDPM buffers have no place in a diffusers pipeline
            }
            converted.add(key);
        }
        unet.write(dir.resolve("unet/diffusion_pytorch_model.safetensors"));
        vae.write(dir.resolve("vae/diffusion_pytorch_model.safetensors"));
        dir.resolve("text_encoder").toFile().mkdirs();
        textEncoder.write(dir.resolve("text_encoder/pytorch_model.bin"));

        try (TensorSource folder = CheckpointFiles.open(dir)) {
            assertThat(folder).isInstanceOf(DiffusersFolder.class);
            assertThat(new TreeSet<>(folder.keys())).isEqualTo(converted);
            for (String key : converted) {
                StoredTensor expected = ldm.get(key);
                StoredTensor actual = folder.get(key);
                assertThat(actual.type()).as(key).isEqualTo(expected.type());
                assertThat(actual.shape()).as(key).containsExactly(expected.shape());
                assertThat(TorchCheckpointTest.bytes(actual)).as(key).isEqualTo(TorchCheckpointTest.bytes(expected));
            }
        }
        assertThat(converted).hasSizeGreaterThan(1000);
    }

    @Test
    void unetKeysFollowThePublishedCorrespondence() {
        // Pairs as listed in diffusers' convert_diffusers_to_original_stable_diffusion.py for the SD 1.x UNet.
        Map<String, String> pairs = Map.of(
                "down_blocks.1.attentions.0.proj_in.weight", "input_blocks.4.1.proj_in.weight",
                "down_blocks.2.downsamplers.0.conv.bias", "input_blocks.9.0.op.bias",
                "up_blocks.0.upsamplers.0.conv.weight", "output_blocks.2.1.conv.weight",
                "up_blocks.1.upsamplers.0.conv.weight", "output_blocks.5.2.conv.weight",
                "up_blocks.3.resnets.2.conv_shortcut.weight", "output_blocks.11.0.skip_connection.weight",
                "mid_block.resnets.1.time_emb_proj.weight", "middle_block.2.emb_layers.1.weight",
                "mid_block.attentions.0.transformer_blocks.0.attn2.to_k.weight",
                "middle_block.1.transformer_blocks.0.attn2.to_k.weight",
                "time_embedding.linear_2.bias", "time_embed.2.bias",
                "conv_norm_out.weight", "out.0.weight");
        List<String> keys = List.of("down_blocks.0.resnets.0.conv1.weight", "down_blocks.0.resnets.1.conv1.weight",
                "up_blocks.1.attentions.0.proj_in.weight");
        DiffusersKeys.UnetShape sd = DiffusersKeys.UnetShape.of(keys);
        pairs.forEach((diffusers, original) ->
                assertThat(DiffusersKeys.unetToLdm(diffusers, sd, keys)).as(diffusers).hasValue(original));
    }

    @Test
    void unetBlockNumberingFollowsTheLayersPresent() {
        // One resnet per level: input_blocks = conv_in, res, down, res, ...; output_blocks = 2 per level.
        List<String> keys = List.of("down_blocks.0.resnets.0.conv1.weight", "down_blocks.1.resnets.0.conv1.weight",
                "up_blocks.0.resnets.1.conv1.weight", "up_blocks.0.upsamplers.0.conv.weight");
        DiffusersKeys.UnetShape shape = DiffusersKeys.UnetShape.of(keys);
        assertThat(shape.layersPerBlock()).isEqualTo(1);
        assertThat(DiffusersKeys.unetToLdm("down_blocks.1.resnets.0.conv1.weight", shape, keys))
                .hasValue("input_blocks.3.0.in_layers.2.weight");
        assertThat(DiffusersKeys.unetToLdm("down_blocks.0.downsamplers.0.conv.weight", shape, keys))
                .hasValue("input_blocks.2.0.op.weight");
        assertThat(DiffusersKeys.unetToLdm("up_blocks.0.upsamplers.0.conv.weight", shape, keys))
                .hasValue("output_blocks.1.1.conv.weight");
        assertThat(DiffusersKeys.unetToLdm("add_embedding.linear_1.weight", shape, keys)) // SDXL's label embedding
                .hasValue("label_emb.0.0.weight");
        assertThat(DiffusersKeys.unetToLdm("add_embedding.linear_3.weight", shape, keys)).isEmpty();
    }

    @Test
    void vaeDecoderLevelsRunInReverse() {
        assertThat(DiffusersKeys.vaeToLdm("decoder.up_blocks.0.resnets.2.conv_shortcut.weight", 4))
                .hasValue("decoder.up.3.block.2.nin_shortcut.weight");
        assertThat(DiffusersKeys.vaeToLdm("decoder.up_blocks.2.upsamplers.0.conv.bias", 4))
                .hasValue("decoder.up.1.upsample.conv.bias");
        assertThat(DiffusersKeys.vaeToLdm("encoder.mid_block.attentions.0.query.weight", 4))
                .hasValue("encoder.mid.attn_1.q.weight");
        assertThat(DiffusersKeys.vaeToLdm("encoder.conv_norm_out.bias", 4)).hasValue("encoder.norm_out.bias");
    }

    private static StoredTensor renamed(StoredTensor t, String name, long[] shape) {
        return new StoredTensor(name, t.type(), shape, t.data());
    }

    /**
     * The test's own LDM → diffusers renaming, written as the conversion script does it: a table of block
     * prefixes for the SD 1.x topology (4 levels, 2 resnets per down level), then the resnet layer names.
     */
    static final class LdmToDiffusers {
        private static final Map<String, String> UNET = new LinkedHashMap<>();
        private static final Map<String, String> VAE = new LinkedHashMap<>();
        private static final Set<String> UNET_RESNET_BLOCKS = new TreeSet<>();
        private static final Map<String, String> RESNET = Map.of(
                "in_layers.0.", "norm1.", "in_layers.2.", "conv1.", "out_layers.0.", "norm2.",
                "out_layers.3.", "conv2.", "emb_layers.1.", "time_emb_proj.", "skip_connection.", "conv_shortcut.");
        private static final Map<String, String> ATTENTION = Map.of(
                "norm.", "group_norm.", "q.", "to_q.", "k.", "to_k.", "v.", "to_v.", "proj_out.", "to_out.0.");

        static {
            UNET.put("time_embed.0.", "time_embedding.linear_1.");
            UNET.put("time_embed.2.", "time_embedding.linear_2.");
            UNET.put("input_blocks.0.0.", "conv_in.");
            UNET.put("out.0.", "conv_norm_out.");
            UNET.put("out.2.", "conv_out.");
            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < 2; j++) {
                    resnet("input_blocks." + (3 * i + j + 1) + ".0.", "down_blocks." + i + ".resnets." + j + ".");
                    if (i < 3) {
                        UNET.put("input_blocks." + (3 * i + j + 1) + ".1.", "down_blocks." + i + ".attentions." + j + ".");
                    }
                }
                for (int j = 0; j < 3; j++) {
                    resnet("output_blocks." + (3 * i + j) + ".0.", "up_blocks." + i + ".resnets." + j + ".");
                    if (i > 0) {
                        UNET.put("output_blocks." + (3 * i + j) + ".1.", "up_blocks." + i + ".attentions." + j + ".");
                    }
                }
                if (i < 3) {
                    UNET.put("input_blocks." + 3 * (i + 1) + ".0.op.", "down_blocks." + i + ".downsamplers.0.conv.");
                    UNET.put("output_blocks." + (3 * i + 2) + "." + (i == 0 ? 1 : 2) + ".", "up_blocks." + i + ".upsamplers.0.");
                }
            }
            UNET.put("middle_block.1.", "mid_block.attentions.0.");
            for (int j = 0; j < 2; j++) {
                resnet("middle_block." + 2 * j + ".", "mid_block.resnets." + j + ".");
            }

            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < 2; j++) {
                    VAE.put("encoder.down." + i + ".block." + j + ".", "encoder.down_blocks." + i + ".resnets." + j + ".");
                }
                if (i < 3) {
                    VAE.put("encoder.down." + i + ".downsample.", "encoder.down_blocks." + i + ".downsamplers.0.");
                    VAE.put("decoder.up." + (3 - i) + ".upsample.", "decoder.up_blocks." + i + ".upsamplers.0.");
                }
                for (int j = 0; j < 3; j++) {
                    VAE.put("decoder.up." + (3 - i) + ".block." + j + ".", "decoder.up_blocks." + i + ".resnets." + j + ".");
                }
            }
            for (String part : List.of("encoder.", "decoder.")) {
                for (int i = 0; i < 2; i++) {
                    VAE.put(part + "mid.block_" + (i + 1) + ".", part + "mid_block.resnets." + i + ".");
                }
                VAE.put(part + "norm_out.", part + "conv_norm_out.");
            }
        }

        private static void resnet(String ldm, String diffusers) {
            UNET.put(ldm, diffusers);
            UNET_RESNET_BLOCKS.add(ldm);
        }

        static String unet(String key) {
            for (Map.Entry<String, String> e : UNET.entrySet()) {
                if (key.startsWith(e.getKey())) {
                    String rest = key.substring(e.getKey().length());
                    return e.getValue() + (UNET_RESNET_BLOCKS.contains(e.getKey()) ? replaceStart(rest, RESNET) : rest);
                }
            }
            throw new AssertionError("no diffusers name for UNet key " + key);
        }

        static String vae(String key) {
            for (String part : List.of("encoder.", "decoder.")) {
                String attention = part + "mid.attn_1.";
                if (key.startsWith(attention)) {
                    return part + "mid_block.attentions.0." + replaceStart(key.substring(attention.length()), ATTENTION);
                }
            }
            String renamed = key;
            for (Map.Entry<String, String> e : VAE.entrySet()) {
                if (key.startsWith(e.getKey())) {
                    renamed = e.getValue() + key.substring(e.getKey().length());
                    break;
                }
            }
            return renamed.replace("nin_shortcut.", "conv_shortcut.");
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
}
