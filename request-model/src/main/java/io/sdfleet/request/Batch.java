package io.sdfleet.request;

import java.util.List;

/**
 * A1111's batches: {@code count} batches ("batch count", {@code n_iter}) of {@code size} images made together
 * ({@code batch_size}). The engine runs one batch; a job's batch has count 1.
 */
public record Batch(int size, int count) {

    /** Images the request yields. */
    public int imageCount() {
        return size * count;
    }

    List<String> problems() {
        return size < 1 || size > 64 ? List.of("batch_size must be between 1 and 64, got " + size) : List.of();
    }
}
