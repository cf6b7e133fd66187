package io.flinkhnsw.hnsw;

/**
 * How a filtered query searches a graph, chosen from the exact number of matches and the graph's
 * size (see docs/ARCHITECTURE.md, "Filters"): an exact scan of the matches when they are few, a
 * traversal that expands two hops through nodes the filter rejects (ACORN-1) when the filter is
 * selective, and a plain traversal that only collects matching nodes (Lucene) otherwise. A
 * traversal gives up for the exact scan once it has scored as many vectors as the scan would.
 */
public enum FilterPlan {
    EXACT, TWO_HOP, TRAVERSE;

    /** Matches at or below this are always scanned exactly: a scan of so few costs less than any descent. */
    static final int EXACT_MATCHES = 2_000;
    /** Below this share of matches, a traversal expands through rejected nodes (two hops). */
    static final double TWO_HOP_BELOW = 0.4;

    /** The plan for {@code matches} of {@code graphSize} live graph vectors, with a beam of {@code ef}. */
    public static FilterPlan choose(int matches, int graphSize, int ef) {
        if (matches <= Math.max(EXACT_MATCHES, ef) || graphSize <= 0) {
            return EXACT;
        }
        return (double) matches / graphSize < TWO_HOP_BELOW ? TWO_HOP : TRAVERSE;
    }
}
