package io.sdfleet.contracts;

import java.util.List;

/**
 * One unit of GPU work: a single batch of {@code seeds.size()} images of one request, whose first image is image
 * {@code firstImageIndex} of the request. {@code jobId} is derived from the request and the first image index, so a
 * re-published job is recognisably the same job.
 */
public record JobMessage(String jobId, String requestId, String user, int firstImageIndex, List<Long> seeds,
                         GenerationParameters parameters) {

    public static String jobIdOf(String requestId, int firstImageIndex) {
        return requestId + "-" + firstImageIndex;
    }
}
