package io.flinkhnsw.hnsw;

/**
 * How a filtered query searches a graph, chosen from the estimated number of matches, the graph's
 * size and the beam width (see docs/ARCHITECTURE.md, "Filters"): an exact scan of the matches when
 * it scores fewer vectors than a traversal would, a traversal that expands two hops through nodes the
 * filter rejects (ACORN-1) when the filter is selective, and a plain traversal that only collects
 * matching nodes (Lucene) otherwise. A traversal gives up for the exact scan once it has scored as
 * many vectors as the scan would.
 */
public enum FilterPlan {
    EXACT, TWO_HOP, TRAVERSE;

    /** Below this share of matches, a traversal expands through rejected nodes (two hops). */
    static final double TWO_HOP_BELOW = 0.4;
    /**
     * Expansions of an unfiltered beam search per unit of ef (measured on glove-tune 60k: about 1.5),
     * each scoring up to 2M neighbours.
     */
    private static final double EXPANSIONS_PER_EF = 1.5;
    /** What a filter check costs against scoring one vector (both mostly a cache miss; measured roughly). */
    private static final double CHECK_COST = 1.0 / 3;

    /**
     * The plan for {@code matches} of {@code graphSize} live graph vectors at beam width {@code ef} on
     * a graph of {@code maxConn0} links per node on layer 0: the exact scan costs {@code matches}
     * scores; a traversal about {@code 1.5 ef 2M} scores, plus a check of {@code 1/s} nodes per match
     * scored at selectivity {@code s}.
     */
    public static FilterPlan choose(int matches, int graphSize, int ef, int maxConn0) {
        if (graphSize <= 0 || matches <= ef) {
            return EXACT;
        }
        double selectivity = Math.min(1.0, (double) matches / graphSize);
        double traversal = EXPANSIONS_PER_EF * ef * maxConn0 * (1 + CHECK_COST / selectivity);
        if (matches <= traversal) {
            return EXACT;
        }
        return selectivity < TWO_HOP_BELOW ? TWO_HOP : TRAVERSE;
    }
}
