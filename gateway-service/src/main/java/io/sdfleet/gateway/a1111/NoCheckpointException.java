package io.sdfleet.gateway.a1111;

/**
 * A request names no model and the fleet has none to default to: no checkpoint in the models folder, none in the
 * model registry and no SDFLEET_DEFAULT_MODEL. Typically a fresh deployment; the message says what to do.
 */
public class NoCheckpointException extends RuntimeException {

    public NoCheckpointException() {
        super("no checkpoint to generate with: put a Stable Diffusion checkpoint (.safetensors or .ckpt) in the models"
                + " folder (SDFLEET_MODELS_DIR; docker-compose mounts ./models, the Helm chart the models volume),"
                + " then POST /sdapi/v1/refresh-checkpoints or retry");
    }
}
