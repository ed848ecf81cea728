package io.sdfleet.request;

/**
 * The checkpoint and VAE to generate with, by name as the fleet's catalog resolves them; null = the worker's default
 * checkpoint and the checkpoint's own VAE.
 */
public record ModelChoice(String checkpoint, String vae) {

    /** The defaults: the worker's checkpoint, its own VAE. */
    public static final ModelChoice DEFAULTS = new ModelChoice(null, null);
}
