package io.sdfleet.request;

/**
 * A1111's SDXL refiner ({@code refiner_checkpoint}, {@code refiner_switch_at}): from the first denoiser call whose
 * completed timestep ratio reaches {@code switchAt}, the refiner checkpoint samples the remaining steps.
 *
 * @param checkpoint the refiner, by name as the fleet's catalog resolves it
 * @param switchAt   0..1; null as in A1111's API when the field is absent: the refiner takes over at the first call
 */
public record Refiner(String checkpoint, Double switchAt) {

    public Refiner {
        if (checkpoint == null || checkpoint.isBlank()) {
            throw new IllegalArgumentException("refiner_checkpoint must name a checkpoint");
        }
        if (switchAt != null && !(switchAt >= 0 && switchAt <= 1)) {
            throw new IllegalArgumentException("refiner_switch_at must be between 0 and 1, got " + switchAt);
        }
    }

    /**
     * Whether the refiner takes over at a call whose completed ratio is {@code completedRatio}: A1111 compares its
     * float32 ratio tensor with the setting, so both are compared as floats.
     */
    public boolean takesOverAt(double completedRatio) {
        return switchAt == null || (float) completedRatio >= switchAt.floatValue();
    }
}
