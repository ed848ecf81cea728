package io.sdfleet.contracts;

import io.sdfleet.request.GenerationParameters;

import java.util.List;

/**
 * One unit of GPU work: a single batch of {@code seeds.size()} images of one request, whose first image is image
 * {@code firstImageIndex} of the request. {@code jobId} is derived from the request and the first image index, so a
 * re-published job is recognisably the same job. {@code priority} is the request's (0 when absent).
 */
public record JobMessage(String jobId, String requestId, String user, int firstImageIndex, List<Long> seeds,
                         GenerationParameters parameters, int priority) {

    /** Priority 0. */
    public JobMessage(String jobId, String requestId, String user, int firstImageIndex, List<Long> seeds,
                      GenerationParameters parameters) {
        this(jobId, requestId, user, firstImageIndex, seeds, parameters, 0);
    }

    public static String jobIdOf(String requestId, int firstImageIndex) {
        return requestId + "-" + firstImageIndex;
    }

    /** The request a job id of {@link #jobIdOf} belongs to. */
    public static String requestIdOf(String jobId) {
        int dash = jobId.lastIndexOf('-');
        return dash < 0 ? jobId : jobId.substring(0, dash);
    }

    /**
     * Images {@code offset} to {@code offset + count − 1} of this job as a job of their own (same id, request and
     * parameters; their seeds and image indexes unchanged): how a worker runs a batch larger than it holds.
     */
    public JobMessage part(int offset, int count) {
        if (offset < 0 || count < 1 || offset + count > seeds.size()) {
            throw new IllegalArgumentException("images " + offset + "+" + count + " are not all in a job of "
                    + seeds.size());
        }
        return new JobMessage(jobId, requestId, user, firstImageIndex + offset,
                List.copyOf(seeds.subList(offset, offset + count)), parameters, priority);
    }
}
