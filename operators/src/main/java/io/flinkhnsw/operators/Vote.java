package io.flinkhnsw.operators;

import java.util.Objects;

/**
 * The kNN vote of a query ({@link KnnVote}): the most common value of a payload field over the
 * neighbours that have it, as JSON text, and its share of them. {@code value} is null when no
 * neighbour has the field (the result then says {@code "vote":null}).
 */
public class Vote {
    /** The winning value as JSON text ({@code "red"}, {@code 3}, {@code true}); null: no neighbour has the field. */
    public String value;
    /** Neighbours with the winning value / neighbours with the field; 0 when none has it. */
    public double share;

    public Vote() {
    }

    public Vote(String value, double share) {
        this.value = value;
        this.share = share;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Vote v && Double.compare(share, v.share) == 0 && Objects.equals(value, v.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(value, share);
    }

    @Override
    public String toString() {
        return "Vote{" + value + " " + share + "}";
    }
}
