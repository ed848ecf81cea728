package io.sdfleet.request;

/**
 * The checkpoint, VAE and SDXL refiner to generate with, by name as the fleet's catalog resolves them; null = the
 * worker's default checkpoint, the checkpoint's own VAE, no refiner.
 */
public record ModelChoice(String checkpoint, String vae, Refiner refiner) {

    /** The defaults: the worker's checkpoint, its own VAE, no refiner. */
    public static final ModelChoice DEFAULTS = new ModelChoice(null, null, null);

    /** Without a refiner. */
    public ModelChoice(String checkpoint, String vae) {
        this(checkpoint, vae, null);
    }
}
