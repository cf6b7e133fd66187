package io.flinkhnsw.hnsw;

/** The answer to one search: up to k external ids with their distances, nearest first. */
public final class SearchResult {
    static final SearchResult EMPTY = new SearchResult(new String[0], new float[0]);

    private final String[] ids;
    private final float[] distances;

    SearchResult(String[] ids, float[] distances) {
        assert ids.length == distances.length;
        this.ids = ids;
        this.distances = distances;
    }

    public int size() {
        return ids.length;
    }

    public String id(int rank) {
        return ids[rank];
    }

    public float distance(int rank) {
        return distances[rank];
    }
}
