package io.sdfleet.request;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A1111's upscaler names and the model files behind them, one rule set for the gateway (listing, checking a request),
 * the worker (finding or pulling the file) and the engine (loading it):
 * <ul>
 *   <li>the built-ins "None", "Lanczos" and "Nearest" need no file;</li>
 *   <li>an ESRGAN upscaler is named after its file in {@code models/ESRGAN} (the file name without extension, as
 *       A1111's {@code friendly_name}: {@code 4x-UltraSharp.pth} is "4x-UltraSharp");</li>
 *   <li>the Real-ESRGAN upscalers have fixed names, each backed by one released file in {@code models/RealESRGAN}
 *       ("R-ESRGAN 4x+" is {@code RealESRGAN_x4plus.pth}). Only the RRDB ones are here: A1111's "General 4xV3",
 *       "General WDN 4xV3" and "AnimeVideo" are another network (SRVGGNetCompact) the engine does not have.</li>
 * </ul>
 * Registry kinds are the folder names in lower case ({@code esrgan}, {@code realesrgan}).
 */
public final class UpscalerNames {

    /** A1111's model-free upscalers, in its listing order. */
    public static final List<String> BUILT_IN = List.of("None", "Lanczos", "Nearest");

    /** A family of model upscalers: its registry kind, its A1111 folder under models/, the extensions it reads. */
    public enum Family {
        /** A1111 reads .pt and .pth; converted .safetensors copies are taken too. */
        ESRGAN("esrgan", "ESRGAN", List.of(".pth", ".pt", ".safetensors")),
        REAL_ESRGAN("realesrgan", "RealESRGAN", List.of(".pth"));

        private final String kind;
        private final String folder;
        private final List<String> extensions;

        Family(String kind, String folder, List<String> extensions) {
            this.kind = kind;
            this.folder = folder;
            this.extensions = extensions;
        }

        public String kind() {
            return kind;
        }

        public String folder() {
            return folder;
        }

        public List<String> extensions() {
            return extensions;
        }

        public boolean accepts(String fileName) {
            String lower = fileName.toLowerCase(Locale.ROOT);
            return extensions.stream().anyMatch(lower::endsWith);
        }
    }

    /** One of A1111's Real-ESRGAN upscalers: its name, the stem of its released file, A1111's download URL, scale. */
    public record RealEsrgan(String name, String fileStem, String url, int scale) {
    }

    /** A1111's Real-ESRGAN list, in its order, less the SRVGGNetCompact models. */
    public static final List<RealEsrgan> REAL_ESRGAN = List.of(
            new RealEsrgan("R-ESRGAN 4x+", "RealESRGAN_x4plus",
                    "https://github.com/xinntao/Real-ESRGAN/releases/download/v0.1.0/RealESRGAN_x4plus.pth", 4),
            new RealEsrgan("R-ESRGAN 4x+ Anime6B", "RealESRGAN_x4plus_anime_6B",
                    "https://github.com/xinntao/Real-ESRGAN/releases/download/v0.2.2.4/RealESRGAN_x4plus_anime_6B.pth", 4),
            new RealEsrgan("R-ESRGAN 2x+", "RealESRGAN_x2plus",
                    "https://github.com/xinntao/Real-ESRGAN/releases/download/v0.2.1/RealESRGAN_x2plus.pth", 2));

    /** A1111's Real-ESRGAN upscalers of another network, refused by name rather than looked for as ESRGAN files. */
    private static final List<String> OTHER_NETWORKS = List.of("R-ESRGAN General 4xV3", "R-ESRGAN General WDN 4xV3",
            "R-ESRGAN AnimeVideo");

    /** Every ESRGAN upscaler's {@code model_name} in A1111's listing (its class's download name). */
    public static final String ESRGAN_MODEL_NAME = "ESRGAN_4x";

    /** The scale A1111 lists for every ESRGAN file (it does not read the file to list it). */
    public static final int ESRGAN_LISTED_SCALE = 4;

    /** What a model upscaler needs: a file of {@code family} whose name without extension is {@code fileStem}. */
    public record ModelFile(Family family, String fileStem) {

        /** How the file is looked for, for messages: {@code ESRGAN/4x-UltraSharp.pth (or .pt, .safetensors)}. */
        public String describe() {
            List<String> ext = family.extensions();
            return family.folder() + "/" + fileStem + ext.getFirst()
                    + (ext.size() > 1 ? " (or " + String.join(", ", ext.subList(1, ext.size())) + ")" : "");
        }
    }

    private UpscalerNames() {
    }

    /** The built-in's name as A1111 spells it (any case accepted), if {@code name} is one. */
    public static Optional<String> builtIn(String name) {
        return BUILT_IN.stream().filter(b -> b.equalsIgnoreCase(name.trim())).findFirst();
    }

    /**
     * The file a model upscaler of this name needs; empty for the built-ins and latent modes (no file). An ESRGAN
     * name is a file stem, so one with a path part (or blank) names nothing: refused.
     */
    public static Optional<ModelFile> modelFile(String name) {
        String n = name.trim();
        if (builtIn(n).isPresent() || n.toLowerCase(Locale.ROOT).startsWith("latent")) {
            return Optional.empty();
        }
        for (RealEsrgan r : REAL_ESRGAN) {
            if (r.name().equals(n)) {
                return Optional.of(new ModelFile(Family.REAL_ESRGAN, r.fileStem()));
            }
        }
        if (OTHER_NETWORKS.contains(n)) {
            throw new IllegalArgumentException("upscaler '" + n + "' is an SRVGGNetCompact model, which this fleet"
                    + " cannot run; the RRDB upscalers are ESRGAN files and " + REAL_ESRGAN.stream().map(RealEsrgan::name).toList());
        }
        if (n.isEmpty() || n.length() > 200 || n.contains("/") || n.contains("\\") || n.startsWith(".")) {
            throw new IllegalArgumentException("not an upscaler name: '" + name + "'");
        }
        return Optional.of(new ModelFile(Family.ESRGAN, n));
    }

    /**
     * The upscaler a file of {@code family} gives, as A1111 lists it: an ESRGAN file by its stem; a Real-ESRGAN file
     * only when it is one of the released files {@link #REAL_ESRGAN} names (A1111 matches the file name's end).
     */
    public static Optional<String> nameOf(Family family, String fileName) {
        if (!family.accepts(fileName)) {
            return Optional.empty();
        }
        if (family == Family.ESRGAN) {
            return Optional.of(stem(fileName));
        }
        return REAL_ESRGAN.stream().filter(r -> fileName.endsWith(r.fileStem() + ".pth")).map(RealEsrgan::name)
                .findFirst();
    }

    /** The Real-ESRGAN upscaler called {@code name}, if it is one. */
    public static Optional<RealEsrgan> realEsrgan(String name) {
        return REAL_ESRGAN.stream().filter(r -> r.name().equals(name)).findFirst();
    }

    /** A file name without its extension (a leading dot is no extension's). */
    public static String stem(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return dot > 0 ? fileName.substring(0, dot) : fileName;
    }
}
