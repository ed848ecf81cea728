package io.sdfleet.diffusion.networks;

/**
 * A text encoder that textual inversion feeds, named as A1111's {@code textual_inversion_key}: an SDXL embedding
 * file has one tensor per tower under these names ({@code clip_l} [n, 768], {@code clip_g} [n, 1280]).
 */
public enum EmbeddingTower {

    /** OpenAI CLIP ViT-L: SD 1.x's encoder, SDXL base's first. */
    CLIP_L("clip_l"),
    /** OpenCLIP: SDXL's bigG (and SD 2.x's ViT-H, whose files hold a single tensor). */
    CLIP_G("clip_g");

    private final String fileKey;

    EmbeddingTower(String fileKey) {
        this.fileKey = fileKey;
    }

    /** The tensor's name in an SDXL embedding file. */
    public String fileKey() {
        return fileKey;
    }

    /** A tower of a loaded model and its width: what an embedding must fit to be offered to it. */
    public record Width(EmbeddingTower tower, int width) {
    }
}
