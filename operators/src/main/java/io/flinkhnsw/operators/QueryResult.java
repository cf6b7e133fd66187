package io.flinkhnsw.operators;

import java.util.List;
import java.util.Objects;

/**
 * The answer to one query: its nearest neighbours, nearest first, the size of the key's index when
 * it was answered, and how long the search took. {@code tookMicros} is excluded from equality: it
 * is a measurement, not part of the answer.
 */
public class QueryResult {
    public String queryId;
    public String key;
    public List<Neighbour> neighbours;
    public int indexSize;
    public long tookMicros;

    public QueryResult() {
    }

    public QueryResult(String queryId, String key, List<Neighbour> neighbours, int indexSize, long tookMicros) {
        this.queryId = queryId;
        this.key = key;
        this.neighbours = neighbours;
        this.indexSize = indexSize;
        this.tookMicros = tookMicros;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof QueryResult)) return false;
        QueryResult r = (QueryResult) o;
        return indexSize == r.indexSize && Objects.equals(queryId, r.queryId) && Objects.equals(key, r.key)
                && Objects.equals(neighbours, r.neighbours);
    }

    @Override
    public int hashCode() {
        return Objects.hash(queryId, key, neighbours, indexSize);
    }

    @Override
    public String toString() {
        return "QueryResult{" + queryId + " key=" + key + " size=" + indexSize + " " + neighbours + "}";
    }
}
