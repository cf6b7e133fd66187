package io.flinkhnsw.hnsw;

/**
 * Thrown when an upsert or query cannot be applied: wrong dimension, NaN or infinite components,
 * k or ef out of range, a zero vector under cosine. The message is meant for a person reading a
 * dead-letter record; the index is unchanged when it is thrown.
 */
public final class InvalidVectorException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public InvalidVectorException(String message) {
        super(message);
    }
}
