package io.sdfleet.storage.image;

/**
 * What is known about one finished image besides its pixels. {@code parametersJson} holds the request's full
 * parameters as JSON; {@code infotext} the A1111 text the PNG carries.
 */
public record ImageMetadata(String requestId, String jobId, int imageIndex, String user, long seed, String prompt,
                            String negativePrompt, String parametersJson, String infotext, String model,
                            String workerId, Double pipelineSeconds, Long peakMemoryBytes) {
}
