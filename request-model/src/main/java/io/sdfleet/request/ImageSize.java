package io.sdfleet.request;

import java.util.ArrayList;
import java.util.List;

/** Width and height of the first pass, in pixels: multiples of 8, since the latent is an eighth of the image. */
public record ImageSize(int width, int height) {

    /** The largest side the engine makes, also for the hires target and "resize seed from". */
    public static final int MAX_SIDE = 4096;

    List<String> problems() {
        List<String> problems = new ArrayList<>();
        side("width", width, problems);
        side("height", height, problems);
        return problems;
    }

    private static void side(String name, int value, List<String> problems) {
        if (value < 8 || value > MAX_SIDE || value % 8 != 0) {
            problems.add(name + " must be a multiple of 8 between 8 and " + MAX_SIDE + ", got " + value);
        }
    }
}
