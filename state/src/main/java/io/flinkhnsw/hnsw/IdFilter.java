package io.flinkhnsw.hnsw;

/**
 * Which of a key's live ids a filtered search may return, as a compiled payload filter answers it.
 * A search asks for graph nodes by slot (so an implementation may cache per slot) and for
 * backlog vectors by id. {@link #matchCount} is an estimate the planner ({@link FilterPlan}) uses to
 * choose between an exact scan of the matches and a traversal; results never depend on it.
 */
public interface IdFilter {
    /** About how many of the key's {@code liveIds} live ids match. */
    int matchCount(int liveIds);

    /** Whether live graph node {@code node} matches; {@code ids} tells its id. */
    boolean acceptsNode(int node, NodeIds ids);

    /** Whether live id {@code id} (of the backlog) matches. */
    boolean acceptsId(String id);

    /** Receives a matching id and the graph slot it was last seen at (-1: unknown), which the graph checks. */
    interface MatchVisitor {
        void match(String id, int slotHint);
    }

    /**
     * Hands every matching id to {@code visitor} and returns true, or returns false without a call
     * when the matches cannot be listed (ids the filter never saw match too); a search then tests
     * every node instead.
     */
    boolean forEachMatch(MatchVisitor visitor);
}
