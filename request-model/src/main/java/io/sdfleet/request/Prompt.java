package io.sdfleet.request;

import java.util.List;

/**
 * What to draw and what to steer away from, in A1111's prompt syntax, and A1111's "Clip skip"
 * ({@code CLIP_stop_at_last_layers}: 1 = the text encoder's last layer).
 */
public record Prompt(String positive, String negative, int clipSkip) {

    public Prompt {
        positive = positive == null ? "" : positive;
        negative = negative == null ? "" : negative;
    }

    List<String> problems() {
        return clipSkip < 1 || clipSkip > 12
                ? List.of("clip_skip must be between 1 and 12, got " + clipSkip) : List.of();
    }
}
