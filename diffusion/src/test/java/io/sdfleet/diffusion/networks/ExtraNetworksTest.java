package io.sdfleet.diffusion.networks;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A1111's extra_networks.parse_prompt and the LoRA / hypernetwork argument rules. */
class ExtraNetworksTest {

    @Test
    void tagsAreCutOutLeavingTheSurroundingTextAsItWas() {
        ExtraNetworks.Parsed parsed = ExtraNetworks.parse("a photo of a red cat <lora:oracle_lora:0.8>, <hypernet:h>x");
        assertThat(parsed.prompt()).isEqualTo("a photo of a red cat , x");
        assertThat(parsed.loras()).containsExactly(new LoraActivation("oracle_lora", 0.8, 0.8));
        assertThat(parsed.hypernets()).containsExactly(new HypernetActivation("h", 1.0));
    }

    @Test
    void loraMultipliersFollowA1111() {
        assertThat(ExtraNetworks.parse("<lora:a>").loras()).containsExactly(new LoraActivation("a", 1, 1));
        assertThat(ExtraNetworks.parse("<lora:a:0.5:0.25>").loras()).containsExactly(new LoraActivation("a", 0.5, 0.25));
        assertThat(ExtraNetworks.parse("<lora:a:0.5:unet=0.1>").loras()).containsExactly(new LoraActivation("a", 0.5, 0.1));
        assertThat(ExtraNetworks.parse("<lora:a:te=0.3>").loras()).containsExactly(new LoraActivation("a", 0.3, 0.3));
        assertThat(ExtraNetworks.parse("<hypernet:h:0.4>").hypernets()).containsExactly(new HypernetActivation("h", 0.4));
    }

    @Test
    void unknownTypesAreRemovedButNotApplied() {
        ExtraNetworks.Parsed parsed = ExtraNetworks.parse("cat <lyco2:x:1> <no tag> <:x>");
        assertThat(parsed.prompt()).isEqualTo("cat  <no tag> <:x>");
        assertThat(parsed.activations()).hasSize(1);
        assertThat(parsed.loras()).isEmpty();
    }

    @Test
    void aBadNumberNamesTheTag() {
        assertThatThrownBy(() -> ExtraNetworks.parse("<lora:a:strong>").loras())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("strong");
    }

    @Test
    void anUnknownNetworkNamesTheFileThatWasLookedFor(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("other.safetensors"), "");
        NetworkLibrary library = NetworkLibrary.loras(Optional.of(dir));
        assertThat(library.find("other")).isEqualTo(dir.resolve("other.safetensors"));
        assertThatThrownBy(() -> library.find("missing"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("missing.safetensors").hasMessageContaining(dir.toString());
        assertThatThrownBy(() -> NetworkLibrary.hypernetworks(Optional.empty()).find("h"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("h.pt");
        assertThat(List.of(library.files().keySet().toArray())).containsExactly("other");
    }
}
