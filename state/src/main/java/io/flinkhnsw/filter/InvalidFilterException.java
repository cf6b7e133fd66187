package io.flinkhnsw.filter;

/** A query's filter cannot be used: its shape, an undeclared field, or a condition of the wrong type; the message says which. */
public final class InvalidFilterException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public InvalidFilterException(String message) {
        super(message);
    }
}
