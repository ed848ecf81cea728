package io.sdfleet.diffusion.checkpoint;

import java.util.List;

/** The outcome of matching a checkpoint's keys with a model's parameters: what is missing and what is left over. */
public record KeyReport(List<String> missing, List<String> unexpected) {

    public KeyReport {
        missing = List.copyOf(missing);
        unexpected = List.copyOf(unexpected);
    }

    public boolean isClean() {
        return missing.isEmpty() && unexpected.isEmpty();
    }

    /** Throws a CheckpointException naming every missing and unexpected key when there is any. */
    public void throwIfNotClean(String what) {
        if (!isClean()) {
            throw new CheckpointException(what + " does not match the model: " + this);
        }
    }

    @Override
    public String toString() {
        return "missing: " + (missing.isEmpty() ? "none" : String.join(", ", missing))
                + "; unexpected: " + (unexpected.isEmpty() ? "none" : String.join(", ", unexpected));
    }
}
