package io.sdfleet.diffusion.networks;

import io.sdfleet.diffusion.loading.StableDiffusionModel;
import io.sdfleet.diffusion.prompt.EmbeddingLookup;
import io.sdfleet.diffusion.unet.ContextTransform;

/**
 * The pipeline's entry to extra networks: {@link #activate} takes the {@code <lora:...>} / {@code <hypernet:...>}
 * tags out of a prompt, patches the LoRAs into the model and loads the hypernetworks for the run's UNet settings,
 * until the returned {@link Active} is closed; the
 * {@link #embeddings()} tell the prompt encoder which words are textual-inversion embeddings. On SDXL the LoRA's
 * {@code lora_te1_} / {@code lora_te2_} modules patch CLIP-L and bigG, and each tower has its own embeddings,
 * {@link #embeddings(EmbeddingTower)}, for {@link io.sdfleet.diffusion.sdxl.SdxlConditioner}.
 */
public final class Networks {

    private final StableDiffusionModel model;
    private final NetworkLibrary loras;
    private final NetworkLibrary hypernetworks;
    private final TextualInversions embeddings;

    public Networks(StableDiffusionModel model, NetworkDirectories directories) {
        this.model = model;
        this.loras = NetworkLibrary.loras(directories.loras());
        this.hypernetworks = NetworkLibrary.hypernetworks(directories.hypernetworks());
        this.embeddings = TextualInversions.forModel(model, NetworkLibrary.embeddings(directories.embeddings()));
    }

    /** The embeddings the model's first text encoder recognises (SD 1.x / 2.x: its only one). */
    public EmbeddingLookup embeddings() {
        return embeddings.lookup(TextualInversions.towersOf(model).get(0).tower());
    }

    /**
     * The embeddings {@code tower} recognises, for SDXL's conditioner: {@code CLIP_L} for CLIP-L, {@code CLIP_G} for
     * bigG; {@link EmbeddingLookup#NONE} for a tower the model lacks (the refiner's CLIP-L).
     */
    public EmbeddingLookup embeddings(EmbeddingTower tower) {
        return embeddings.lookup(tower);
    }

    /** The embeddings folder as read for this model: what was loaded and what was skipped, and why. */
    public TextualInversions textualInversions() {
        return embeddings;
    }

    /** The networks of one generation; closing restores the model exactly and frees the hypernetworks. */
    public record Active(String prompt, LoraPatch loras, LoadedHypernetworks hypernetworks) implements AutoCloseable {

        /** The hypernetworks as the run's UNet calls apply them; null when the prompt names none. */
        public ContextTransform contextTransform() {
            return hypernetworks.contextTransform();
        }

        @Override
        public void close() {
            try {
                hypernetworks.close();
            } finally {
                loras.close();
            }
        }
    }

    /** Parses the prompt's tags (A1111 reads them from the positive prompt only) and applies them. */
    public Active activate(String prompt) {
        ExtraNetworks.Parsed parsed = ExtraNetworks.parse(prompt);
        LoraPatch loraPatch = LoraPatch.apply(model, parsed.loras(), loras);
        try {
            return new Active(parsed.prompt(), loraPatch,
                    LoadedHypernetworks.load(model, parsed.hypernets(), hypernetworks));
        } catch (RuntimeException e) {
            loraPatch.close();
            throw e;
        }
    }
}
