package io.flinkhnsw.operators;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The answer to one query: its nearest neighbours, nearest first, the size of the key's index when
 * it was answered, how long the search took, and the vote when the query asked for one. The answer
 * to a get ({@link #get}) carries the id's stored vector and payload instead. A request that cannot
 * be answered (an unknown id, or a request rejected as a dead letter) still gets an answer, with
 * {@link #error} set and no neighbours. {@code tookMicros} is excluded from equality: it is a
 * measurement, not part of the answer.
 */
public class QueryResult {
    public String queryId;
    public String key;
    public List<Neighbour> neighbours;
    public int indexSize;
    public long tookMicros;
    /** Why the request has no answer (e.g. {@code unknown id: item-42}); null when it has one. */
    public String error;
    /** The query's kNN vote; null when it asked for none. */
    public Vote vote;
    /** True for the answer to a get: then {@link #id}, {@link #vector} and {@link #payload} are set, not neighbours. */
    public boolean get;
    /** Get: the id asked for. */
    public String id;
    /** Get: the stored vector (unit length under cosine); null when the id is unknown. */
    public float[] vector;
    /** Get: the stored payload JSON; null when none. */
    public String payload;

    public QueryResult() {
    }

    /** The answer to a request that failed: its error and nothing else. */
    public static QueryResult error(String queryId, String key, boolean get, String error) {
        QueryResult r = new QueryResult(queryId, key, new ArrayList<>(0), 0, 0);
        r.get = get;
        r.error = error;
        return r;
    }

    /** The answer to a get of {@code id}: its vector (null when unknown, with an error) and payload. */
    public static QueryResult got(String queryId, String key, String id, float[] vector, String payload) {
        QueryResult r = error(queryId, key, true, vector == null ? "unknown id: " + id : null);
        r.id = id;
        r.vector = vector;
        r.payload = payload;
        return r;
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
                && Objects.equals(neighbours, r.neighbours) && Objects.equals(error, r.error)
                && Objects.equals(vote, r.vote) && get == r.get && Objects.equals(id, r.id)
                && Arrays.equals(vector, r.vector) && Objects.equals(payload, r.payload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(queryId, key, neighbours, indexSize);
    }

    @Override
    public String toString() {
        return "QueryResult{" + queryId + " key=" + key + " size=" + indexSize + " " + neighbours
                + (error != null ? " error=" + error : "") + (vote != null ? " " + vote : "")
                + (get ? " get " + id : "") + "}";
    }
}
