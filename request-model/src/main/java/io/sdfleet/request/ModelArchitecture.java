package io.sdfleet.request;

import java.util.Collection;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Which family a Stable Diffusion checkpoint belongs to, told by its keys as A1111 tells them
 * ({@code modules/sd_models_config.py}'s {@code guess_model_config_from_state_dict}): SDXL base by its second text
 * tower's {@code conditioner.embedders.1.model.ln_final.weight} (OpenCLIP bigG beside CLIP ViT-L), the refiner by
 * {@code conditioner.embedders.0.model.ln_final.weight} (bigG alone), SD 2.x by its OpenCLIP ViT-H tower under
 * {@code cond_stage_model.model.} (A1111 probes its first block, the engine's {@code loading.ModelType} any key there;
 * both hold {@code ln_final}); anything else is SD 1.x. The gateway, workers and scheduler ask this rule.
 */
public enum ModelArchitecture {

    SD1("sd1", 512, 1_066_000_000L),
    SD2("sd2", 768, 1_304_000_000L),
    SDXL("sdxl", 1024, 3_469_000_000L),
    SDXL_REFINER("sdxl-refiner", 1024, 3_080_000_000L);

    static final String SDXL_BASE_KEY = "conditioner.embedders.1.model.ln_final.weight";
    static final String SDXL_REFINER_KEY = "conditioner.embedders.0.model.ln_final.weight";
    static final String SD2_PREFIX = "cond_stage_model.model.";

    private static final Pattern XL = Pattern.compile("xl(?![a-z])");

    private final String id;
    private final int nativeSize;
    private final long parameters;

    ModelArchitecture(String id, int nativeSize, long parameters) {
        this.id = id;
        this.nativeSize = nativeSize;
        this.parameters = parameters;
    }

    /** A checkpoint's family from its tensor names (the LDM single-file layout). */
    public static ModelArchitecture ofKeys(Collection<String> keys) {
        if (keys.contains(SDXL_BASE_KEY)) {
            return SDXL;
        }
        if (keys.contains(SDXL_REFINER_KEY)) {
            return SDXL_REFINER;
        }
        if (keys.stream().anyMatch(k -> k.startsWith(SD2_PREFIX))) {
            return SD2;
        }
        return SD1;
    }

    /**
     * A diffusers pipeline folder's family from its subfolder names: SDXL pipelines have a second text encoder
     * ({@code text_encoder_2/}), the refiner's pipeline that one only. SD 2.x and 1.x folders look alike by name
     * (their text encoder's width is in its config), so this says SD1 for both.
     */
    public static ModelArchitecture ofDiffusersFolders(Collection<String> subfolders) {
        if (subfolders.contains("text_encoder_2")) {
            return subfolders.contains("text_encoder") ? SDXL : SDXL_REFINER;
        }
        return SD1;
    }

    /**
     * For files whose keys cannot be read cheaply (a registered {@code .ckpt} pickle): a name with "xl" not followed
     * by a letter ({@code sd_xl_base_1.0}, {@code juggernautXL_v9}, {@code sdxl}, {@code ponyDiffusionV6XL}) is taken
     * for SDXL, one that also says "refiner" for the refiner; anything else is SD 1.x, the family most {@code .ckpt}
     * files are.
     */
    public static ModelArchitecture ofName(String fileName) {
        String n = fileName == null ? "" : fileName.toLowerCase(Locale.ROOT);
        if (!XL.matcher(n).find()) {
            return SD1;
        }
        return n.contains("refiner") ? SDXL_REFINER : SDXL;
    }

    /** By {@link #id()}, case-insensitively; null for null or an unknown id. */
    public static ModelArchitecture ofId(String id) {
        if (id == null) {
            return null;
        }
        for (ModelArchitecture a : values()) {
            if (a.id.equalsIgnoreCase(id.trim())) {
                return a;
            }
        }
        return null;
    }

    /** How listings name it ({@code /sdapi/v1/sd-models}' {@code type}): sd1, sd2, sdxl, sdxl-refiner. */
    public String id() {
        return id;
    }

    /**
     * The side the family was trained at (512 for SD 1.x, 768 for SD 2.x-v, 1024 for SDXL). A1111's API defaults
     * to 512 whatever the model; sdfleet applies 1024 to SDXL (see the gateway).
     */
    public int nativeSize() {
        return nativeSize;
    }

    /** SDXL base or refiner (the SDXL conditioning, VAE and sizes). */
    public boolean isSdxl() {
        return this == SDXL || this == SDXL_REFINER;
    }

    /**
     * Parameters of the whole checkpoint (UNet, text encoders, VAE), rounded to millions: SD 1.5 860M + 123M
     * (CLIP ViT-L) + 84M; SD 2.x 866M + 354M (OpenCLIP ViT-H) + 84M; SDXL base 2,567M + 123M + 695M (bigG) + 84M;
     * the refiner 2,301M (its 4-level UNet) + 695M + 84M. What {@link BatchMemory} scales model memory by.
     */
    public long parameters() {
        return parameters;
    }
}
