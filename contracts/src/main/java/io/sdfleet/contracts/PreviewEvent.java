package io.sdfleet.contracts;

import java.time.Instant;

/**
 * A live preview of a running job after {@code step}: A1111's "Approx cheap" picture of the current denoised
 * estimate (1/8 of the image size) as base64 PNG. Sent every few steps, not every step.
 */
public record PreviewEvent(String requestId, String jobId, String workerId, int step, String pngBase64, Instant at) {
}
