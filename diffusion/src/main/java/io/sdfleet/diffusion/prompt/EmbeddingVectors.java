package io.sdfleet.diffusion.prompt;

/**
 * A textual-inversion embedding: {@code count} vectors of {@code width} floats (row-major) that stand for
 * {@code name} in a prompt, in place of the token embeddings of that many positions.
 */
public record EmbeddingVectors(String name, int count, int width, float[] values) {

    public EmbeddingVectors {
        if (count < 1 || width < 1 || values.length != count * width) {
            throw new IllegalArgumentException("embedding " + name + ": " + values.length + " values are not "
                    + count + " vectors of " + width);
        }
    }
}
