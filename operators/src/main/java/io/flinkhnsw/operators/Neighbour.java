package io.flinkhnsw.operators;

import java.util.Objects;

/** One hit in a {@link QueryResult}: the vector's id, its distance to the query, and its payload (or null). */
public class Neighbour {
    public String id;
    public float distance;
    /** The JSON object stored with the vector, or null. */
    public String payload;

    public Neighbour() {
    }

    public Neighbour(String id, float distance, String payload) {
        this.id = id;
        this.distance = distance;
        this.payload = payload;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Neighbour)) return false;
        Neighbour n = (Neighbour) o;
        return Float.compare(distance, n.distance) == 0 && Objects.equals(id, n.id) && Objects.equals(payload, n.payload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, distance, payload);
    }

    @Override
    public String toString() {
        return id + "@" + distance;
    }
}
