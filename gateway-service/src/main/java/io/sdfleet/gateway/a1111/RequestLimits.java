package io.sdfleet.gateway.a1111;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * What one generation request may ask for ({@code sdfleet.gateway.limits.*}); a request beyond a limit is refused
 * with 400 naming the field. Defaults are documented in {@code gateway-service.properties}.
 *
 * @param maxPixelsPerBatch   width × height × batch_size (at the hires target size when the hires fix is on)
 * @param maxSteps            steps, and hr_second_pass_steps
 * @param maxNIter            n_iter (A1111's batch count)
 * @param maxPromptLength     characters in prompt, negative_prompt, hr_prompt and hr_negative_prompt
 * @param maxImagesPerRequest batch_size × n_iter
 * @param maxInitImages       entries in init_images
 * @param maxInitImageBytes   decoded bytes of each of init_images and mask (and of png-info's image)
 * @param maxInitImageSide    width and height of each of init_images and mask, in pixels
 * @param maxRequestBodyBytes bytes of any request body (but a model upload's, which streams): beyond it 413,
 *                            answered before the body is read
 * @param maxPngInfoTextBytes bytes of text png-info reads from one PNG, all its text chunks together
 */
@ConfigurationProperties("sdfleet.gateway.limits")
public record RequestLimits(
        @DefaultValue("16777216") long maxPixelsPerBatch,
        @DefaultValue("500") int maxSteps,
        @DefaultValue("100") int maxNIter,
        @DefaultValue("10000") int maxPromptLength,
        @DefaultValue("100") int maxImagesPerRequest,
        @DefaultValue("16") int maxInitImages,
        @DefaultValue("33554432") int maxInitImageBytes,
        @DefaultValue("4096") int maxInitImageSide,
        @DefaultValue("47185920") long maxRequestBodyBytes,
        @DefaultValue("4194304") int maxPngInfoTextBytes) {

    /** The defaults, for callers outside Spring (tests, tools). */
    public static final RequestLimits DEFAULTS = new RequestLimits(16_777_216L, 500, 100, 10_000, 100, 16,
            32 * 1024 * 1024, 4096, 45L * 1024 * 1024, 4 * 1024 * 1024);
}
