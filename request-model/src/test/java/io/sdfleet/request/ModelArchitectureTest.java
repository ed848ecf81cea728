package io.sdfleet.request;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class ModelArchitectureTest {

    private static final String UNET = "model.diffusion_model.input_blocks.0.0.weight";

    @Test
    void toldByTheKeysA1111Probes() {
        assertThat(ModelArchitecture.ofKeys(Set.of(UNET, "conditioner.embedders.0.transformer.text_model.final_layer_norm.weight",
                "conditioner.embedders.1.model.ln_final.weight"))).isEqualTo(ModelArchitecture.SDXL);
        assertThat(ModelArchitecture.ofKeys(Set.of(UNET, "conditioner.embedders.0.model.ln_final.weight")))
                .isEqualTo(ModelArchitecture.SDXL_REFINER);
        assertThat(ModelArchitecture.ofKeys(Set.of(UNET, "cond_stage_model.model.ln_final.weight")))
                .isEqualTo(ModelArchitecture.SD2);
        assertThat(ModelArchitecture.ofKeys(Set.of(UNET, "cond_stage_model.model.transformer.resblocks.0.attn.in_proj_weight")))
                .as("A1111's own SD 2.x probe").isEqualTo(ModelArchitecture.SD2);
        assertThat(ModelArchitecture.ofKeys(Set.of(UNET, "cond_stage_model.transformer.text_model.final_layer_norm.weight")))
                .isEqualTo(ModelArchitecture.SD1);
        assertThat(ModelArchitecture.ofKeys(List.of())).isEqualTo(ModelArchitecture.SD1);
    }

    @Test
    void theBaseKeyWinsWhenBothTowersAreThere() {
        // A1111 checks the base's probe first: a base whose first embedder were OpenCLIP too is still a base
        assertThat(ModelArchitecture.ofKeys(Set.of("conditioner.embedders.0.model.ln_final.weight",
                "conditioner.embedders.1.model.ln_final.weight"))).isEqualTo(ModelArchitecture.SDXL);
    }

    @Test
    void diffusersFoldersByTheirSecondTextEncoder() {
        assertThat(ModelArchitecture.ofDiffusersFolders(Set.of("unet", "vae", "text_encoder", "text_encoder_2", "tokenizer_2")))
                .isEqualTo(ModelArchitecture.SDXL);
        assertThat(ModelArchitecture.ofDiffusersFolders(Set.of("unet", "vae", "text_encoder_2")))
                .isEqualTo(ModelArchitecture.SDXL_REFINER);
        assertThat(ModelArchitecture.ofDiffusersFolders(Set.of("unet", "vae", "text_encoder")))
                .isEqualTo(ModelArchitecture.SD1);
    }

    @Test
    void unreadableFilesByName() {
        assertThat(ModelArchitecture.ofName("sd_xl_base_1.0.ckpt")).isEqualTo(ModelArchitecture.SDXL);
        assertThat(ModelArchitecture.ofName("sd_xl_refiner_1.0.ckpt")).isEqualTo(ModelArchitecture.SDXL_REFINER);
        assertThat(ModelArchitecture.ofName("juggernautXL_v9.ckpt")).isEqualTo(ModelArchitecture.SDXL);
        assertThat(ModelArchitecture.ofName("ponyDiffusionV6XL.ckpt")).isEqualTo(ModelArchitecture.SDXL);
        assertThat(ModelArchitecture.ofName("v1-5-pruned-emaonly.ckpt")).isEqualTo(ModelArchitecture.SD1);
        assertThat(ModelArchitecture.ofName("pixlr-style.ckpt")).isEqualTo(ModelArchitecture.SD1);
        assertThat(ModelArchitecture.ofName(null)).isEqualTo(ModelArchitecture.SD1);
    }

    @Test
    void idsAndNativeSizes() {
        for (ModelArchitecture a : ModelArchitecture.values()) {
            assertThat(ModelArchitecture.ofId(a.id().toUpperCase())).isEqualTo(a);
        }
        assertThat(ModelArchitecture.ofId("sd3")).isNull();
        assertThat(ModelArchitecture.SDXL.nativeSize()).isEqualTo(1024);
        assertThat(ModelArchitecture.SD1.nativeSize()).isEqualTo(512);
        assertThat(ModelArchitecture.SDXL_REFINER.isSdxl()).isTrue();
        assertThat(ModelArchitecture.SD2.isSdxl()).isFalse();
    }
}
