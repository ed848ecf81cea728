package io.sdfleet.diffusion.networks;

import com.fasterxml.jackson.databind.JsonNode;
import io.sdfleet.diffusion.checkpoint.SafetensorsFile;
import io.sdfleet.diffusion.testing.Reference;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** kohya module names resolved to LDM checkpoint keys, computed from the names alone. */
class KohyaNamesTest {

    @Test
    void realSd1NamesReachTheirLdmKeys() {
        List<String> keys = List.of(
                "model.diffusion_model.input_blocks.4.1.proj_in.weight",
                "model.diffusion_model.input_blocks.3.0.op.weight",
                "model.diffusion_model.input_blocks.7.0.skip_connection.weight",
                "model.diffusion_model.input_blocks.8.1.transformer_blocks.0.ff.net.0.proj.weight",
                "model.diffusion_model.middle_block.1.transformer_blocks.0.attn2.to_out.0.weight",
                "model.diffusion_model.middle_block.2.emb_layers.1.weight",
                "model.diffusion_model.output_blocks.2.1.conv.weight",
                "model.diffusion_model.output_blocks.5.2.conv.weight",
                "model.diffusion_model.output_blocks.11.1.transformer_blocks.0.ff.net.2.weight",
                "model.diffusion_model.time_embed.2.weight",
                "cond_stage_model.transformer.text_model.encoder.layers.0.self_attn.q_proj.weight",
                "cond_stage_model.transformer.text_model.encoder.layers.11.mlp.fc2.weight");
        LoraTargets targets = new LoraTargets(keys);
        assertThat(targets.weightKey("lora_unet_down_blocks_1_attentions_0_proj_in")).contains(keys.get(0));
        assertThat(targets.weightKey("lora_unet_down_blocks_0_downsamplers_0_conv")).contains(keys.get(1));
        assertThat(targets.weightKey("lora_unet_down_blocks_2_resnets_0_conv_shortcut")).contains(keys.get(2));
        assertThat(targets.weightKey("lora_unet_down_blocks_2_attentions_1_transformer_blocks_0_ff_net_0_proj"))
                .contains(keys.get(3));
        assertThat(targets.weightKey("lora_unet_mid_block_attentions_0_transformer_blocks_0_attn2_to_out_0"))
                .contains(keys.get(4));
        assertThat(targets.weightKey("lora_unet_mid_block_resnets_1_time_emb_proj")).contains(keys.get(5));
        assertThat(targets.weightKey("lora_unet_up_blocks_0_upsamplers_0_conv")).contains(keys.get(6));
        assertThat(targets.weightKey("lora_unet_up_blocks_1_upsamplers_0_conv")).contains(keys.get(7));
        assertThat(targets.weightKey("lora_unet_up_blocks_3_attentions_2_transformer_blocks_0_ff_net_2"))
                .contains(keys.get(8));
        assertThat(targets.weightKey("lora_unet_time_embedding_linear_2")).contains(keys.get(9));
        assertThat(targets.weightKey("lora_te_text_model_encoder_layers_0_self_attn_q_proj")).contains(keys.get(10));
        assertThat(targets.weightKey("lora_te_text_model_encoder_layers_11_mlp_fc2")).contains(keys.get(11));
        // Older LoRAs name UNet modules by their LDM path.
        assertThat(targets.weightKey("lora_unet_input_blocks_4_1_proj_in")).contains(keys.get(0));
        assertThat(targets.weightKey("lora_unet_down_blocks_1_attentions_1_proj_in")).isEmpty();
    }

    @Test
    void everyModuleOfTheReferenceLoraMapsToTheCasesCheckpointKey() {
        JsonNode map = Reference.json("features/cases/lora_A.json").path("lora_key_to_checkpoint_key");
        try (SafetensorsFile checkpoint = Reference.tensors("features/models/mini_sd1.safetensors")) {
            LoraTargets targets = new LoraTargets(checkpoint.keys());
            assertThat(map.size()).isEqualTo(10);
            map.fields().forEachRemaining(e ->
                    assertThat(targets.weightKey(e.getKey())).as(e.getKey()).contains(e.getValue().asText()));
        }
    }

    /** kohya's SDXL names against every key of the released SDXL base 1.0 (the reference's manifest). */
    @Test
    void sdxlNamesReachTheKeysOfTheReleasedBase() {
        List<String> keys = new java.util.ArrayList<>();
        Reference.json("sdxl/manifest_sdxl_base_1.0.json").path("entries")
                .forEach(e -> keys.add(e.path("key").asText()));
        LoraTargets targets = new LoraTargets(keys);
        String unet = "model.diffusion_model.";
        assertThat(targets.weightKey("lora_unet_input_blocks_7_1_transformer_blocks_9_attn2_to_k"))
                .contains(unet + "input_blocks.7.1.transformer_blocks.9.attn2.to_k.weight");
        assertThat(targets.weightKey("lora_unet_down_blocks_2_attentions_1_transformer_blocks_9_attn2_to_k"))
                .contains(unet + "input_blocks.8.1.transformer_blocks.9.attn2.to_k.weight");
        assertThat(targets.weightKey("lora_unet_up_blocks_0_attentions_2_transformer_blocks_9_ff_net_2"))
                .contains(unet + "output_blocks.2.1.transformer_blocks.9.ff.net.2.weight");
        assertThat(targets.weightKey("lora_unet_output_blocks_2_1_transformer_blocks_9_ff_net_2"))
                .contains(unet + "output_blocks.2.1.transformer_blocks.9.ff.net.2.weight");
        assertThat(targets.weightKey("lora_unet_mid_block_attentions_0_proj_out"))
                .contains(unet + "middle_block.1.proj_out.weight");
        assertThat(targets.weightKey("lora_te1_text_model_encoder_layers_11_mlp_fc2"))
                .contains("conditioner.embedders.0.transformer.text_model.encoder.layers.11.mlp.fc2.weight");
        assertThat(targets.weightKey("lora_te2_text_model_encoder_layers_31_mlp_fc1"))
                .contains("conditioner.embedders.1.model.transformer.resblocks.31.mlp.c_fc.weight");
        assertThat(targets.weightKey("lora_te2_text_model_encoder_layers_31_self_attn_out_proj"))
                .contains("conditioner.embedders.1.model.transformer.resblocks.31.attn.out_proj.weight");
        String inProj = "conditioner.embedders.1.model.transformer.resblocks.31.attn.in_proj_weight";
        List<String> qkv = List.of("q", "k", "v");
        for (int part = 0; part < 3; part++) {
            LoraTarget target = targets.target("lora_te2_text_model_encoder_layers_31_self_attn_" + qkv.get(part)
                    + "_proj").orElseThrow();
            assertThat(target).isEqualTo(new LoraTarget(inProj, part, 3, KohyaNames.appliedTogether(
                    "lora_te2_text_model_encoder_layers_31_self_attn_q_proj")));
        }
        // every CLIP-L, bigG and UNet attention module has a name (what kohya's trainer targets)
        long named = keys.stream().filter(k -> k.contains("transformer_blocks") && k.endsWith("to_q.weight")
                || k.contains(".self_attn.q_proj.weight") || k.endsWith("attn.in_proj_weight")).count();
        long targeted = keys.stream().filter(k -> k.contains("transformer_blocks") && k.endsWith("to_q.weight")
                || k.contains(".self_attn.q_proj.weight") || k.endsWith("attn.in_proj_weight"))
                .filter(k -> !KohyaNames.of(k.substring(0, k.length() - ".weight".length())).isEmpty()
                        || !KohyaNames.ofStackedProjection(k.replace(".in_proj_weight", "")).isEmpty())
                .count();
        assertThat(targeted).isEqualTo(named).isEqualTo(140 + 12 + 32);
    }
}
