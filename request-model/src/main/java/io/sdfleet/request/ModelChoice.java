package io.sdfleet.request;

/**
 * The checkpoint, VAE and SDXL refiner to generate with, by name as the fleet's catalog resolves them; null = the
 * worker's default checkpoint, the checkpoint's own VAE, no refiner.
 *
 * @param architecture        the checkpoint's family as the gateway's catalog read it, so the scheduler can size
 *                            batches before any worker loads it; null when not known (read as SD 1.x)
 * @param refinerArchitecture the refiner's family likewise; null without a refiner or when not known
 */
public record ModelChoice(String checkpoint, String vae, Refiner refiner, ModelArchitecture architecture,
                          ModelArchitecture refinerArchitecture) {

    /** The defaults: the worker's checkpoint, its own VAE, no refiner. */
    public static final ModelChoice DEFAULTS = new ModelChoice(null, null, null);

    /** Families not known. */
    public ModelChoice(String checkpoint, String vae, Refiner refiner) {
        this(checkpoint, vae, refiner, null, null);
    }

    /** Without a refiner. */
    public ModelChoice(String checkpoint, String vae) {
        this(checkpoint, vae, null);
    }

    /** The same models with their families as the catalog read them. */
    public ModelChoice withArchitectures(ModelArchitecture checkpointFamily, ModelArchitecture refinerFamily) {
        return new ModelChoice(checkpoint, vae, refiner, checkpointFamily, refiner == null ? null : refinerFamily);
    }
}
