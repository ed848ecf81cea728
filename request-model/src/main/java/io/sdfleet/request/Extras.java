package io.sdfleet.request;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * A1111's Extras ({@code /sdapi/v1/extra-single-image}, {@code /extra-batch-images}: the postprocessing of given
 * images), with the fields of v1.10's {@code ExtrasBaseRequest}: the images (base64 PNG as the gateway parsed them,
 * then {@link InputImage} references once accepted) and their names, then the Upscale step ({@code resize_mode} 0:
 * by {@code upscaling_resize}, 1: to {@code upscaling_resize_w} × {@code upscaling_resize_h}, centred on a black
 * canvas of that size when {@code upscaling_crop}; {@code upscaler_2} blended in at
 * {@code extras_upscaler_2_visibility}), the GFPGAN step and the CodeFormer step, in A1111's order. Image k of the
 * request is image k of the list; a job's copy holds the images of its share ({@link #fromImage}).
 *
 * @param scaleGiven whether {@code upscaling_resize} was in the request: pydantic leaves an absent default as the int
 *                   2 but makes a given value a float, so A1111's infotext reads "2" or "2.0"
 */
public record Extras(List<String> images, List<String> names, int resizeMode, double upscalingResize,
                     boolean scaleGiven, int resizeWidth, int resizeHeight, boolean crop, String upscaler1,
                     String upscaler2, double upscaler2Visibility, double gfpganVisibility,
                     double codeformerVisibility, double codeformerWeight) {

    public static final String NO_UPSCALER = "None";

    public Extras {
        if (images == null || images.isEmpty()) {
            throw new IllegalArgumentException("image must be given");
        }
        images = List.copyOf(images);
        names = names == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(names)); // a name may be null
        upscaler1 = upscaler1 == null || upscaler1.isBlank() ? NO_UPSCALER : upscaler1.trim();
        upscaler2 = upscaler2 == null || upscaler2.isBlank() ? NO_UPSCALER : upscaler2.trim();
        if (resizeMode != 0 && resizeMode != 1) {
            throw new IllegalArgumentException("resize_mode must be 0 or 1, got " + resizeMode);
        }
        for (double v : new double[] {upscaler2Visibility, gfpganVisibility, codeformerVisibility, codeformerWeight}) {
            if (!(v >= 0 && v <= 1)) {
                throw new IllegalArgumentException("visibilities and codeformer_weight must be between 0 and 1, got " + v);
            }
        }
    }

    /** Whether the Upscale step runs: A1111 skips it (upscaler 2 too) when upscaler_1 is "None". */
    public boolean upscales() {
        return !upscaler1.equalsIgnoreCase(NO_UPSCALER);
    }

    /** Whether upscaler 2 is blended in. */
    public boolean blendsSecondUpscaler() {
        return upscales() && !upscaler2.equalsIgnoreCase(NO_UPSCALER) && upscaler2Visibility > 0;
    }

    public boolean restoresWithGfpgan() {
        return gfpganVisibility > 0;
    }

    public boolean restoresWithCodeFormer() {
        return codeformerVisibility > 0;
    }

    /** The model upscalers' files the job needs (none for the built-ins). */
    public List<UpscalerNames.ModelFile> upscalerFiles() {
        List<UpscalerNames.ModelFile> files = new ArrayList<>();
        if (upscales()) {
            UpscalerNames.modelFile(upscaler1).ifPresent(files::add);
        }
        if (blendsSecondUpscaler()) {
            UpscalerNames.modelFile(upscaler2).ifPresent(files::add);
        }
        return files;
    }

    /** The upscalers used, as named: upscaler 1, and upscaler 2 when it is blended in. */
    public List<String> upscalersUsed() {
        List<String> used = new ArrayList<>();
        if (upscales()) {
            used.add(upscaler1);
        }
        if (blendsSecondUpscaler()) {
            used.add(upscaler2);
        }
        return used;
    }

    /**
     * Sampling steps one image's postprocessing is worth per input pixel, for fair shares and deadlines: an RRDB pass
     * (23 blocks at 64 filters, most of it at the input's size) costs about what 8 UNet steps do per pixel, and a face
     * restorer's 512 × 512 networks about a 512 × 512 step each; the built-in resizers cost next to nothing.
     */
    public static final int STEPS_PER_MODEL_UPSCALE_PASS = 8;

    /** Pixel-steps ({@link PixelSteps}' unit) one image of {@code width} × {@code height} costs here. */
    public long pixelSteps(int width, int height) {
        long pixels = (long) width * height;
        long work = pixels; // decoding, blends, encoding
        for (String name : upscalersUsed()) {
            if (UpscalerNames.modelFile(name).isPresent()) {
                double scale = resizeMode == 1 ? Math.max((double) resizeWidth / width, (double) resizeHeight / height)
                        : upscalingResize;
                // a 4x model's passes: each pass's input is the previous output, 16 times larger
                int passes = scale <= 4 ? 1 : 2;
                work += STEPS_PER_MODEL_UPSCALE_PASS * pixels * (passes == 1 ? 1 : 17);
            }
        }
        int restorers = (restoresWithGfpgan() ? 1 : 0) + (restoresWithCodeFormer() ? 1 : 0);
        return work + restorers * 2L * 512 * 512;
    }

    /** The name of image k, if the request gave one. */
    public Optional<String> nameOf(int k) {
        return k < names.size() ? Optional.ofNullable(names.get(k)) : Optional.empty();
    }

    /** The same with each image passed through {@code convert} (to references, or back to bytes). */
    public Extras withImages(UnaryOperator<String> convert) {
        return new Extras(images.stream().map(convert).toList(), names, resizeMode, upscalingResize, scaleGiven,
                resizeWidth, resizeHeight, crop, upscaler1, upscaler2, upscaler2Visibility, gfpganVisibility,
                codeformerVisibility, codeformerWeight);
    }

    /** Images {@code first} to {@code first + count − 1}, as a job that starts there needs them. */
    public Extras fromImage(int first, int count) {
        if (first < 0 || count < 1 || first + count > images.size()) {
            throw new IllegalArgumentException("images " + first + "+" + count + " are not all in extras of "
                    + images.size());
        }
        List<String> part = images.subList(first, first + count);
        List<String> partNames = new ArrayList<>();
        for (int k = first; k < first + count; k++) {
            partNames.add(nameOf(k).orElse(null));
        }
        return new Extras(part, partNames, resizeMode, upscalingResize, scaleGiven, resizeWidth, resizeHeight, crop,
                upscaler1, upscaler2, upscaler2Visibility, gfpganVisibility, codeformerVisibility, codeformerWeight);
    }
}
