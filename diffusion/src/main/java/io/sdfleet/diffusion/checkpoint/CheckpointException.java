package io.sdfleet.diffusion.checkpoint;

/** A checkpoint file that cannot be read or does not fit the model it should hold. */
public class CheckpointException extends RuntimeException {
    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
