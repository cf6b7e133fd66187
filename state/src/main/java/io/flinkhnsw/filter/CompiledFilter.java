package io.flinkhnsw.filter;

import io.flinkhnsw.hnsw.IdFilter;
import io.flinkhnsw.hnsw.NodeIds;

/**
 * A {@link Filter} bound to one key's {@link FieldIndex}: its conditions as per-ordinal tests over
 * the index's columns, an estimate of the matches (counts kept by keyword and bool columns, a sample
 * for ranges; conditions taken as independent), and the matches listed from the most selective
 * {@code must} condition's postings, or from every id when none has postings. An id without an entry
 * (no payload) matches only a filter with nothing but {@code must_not} conditions. Valid until the
 * field index changes; one per query.
 */
public final class CompiledFilter implements IdFilter {
    private final FieldIndex index;
    private final FieldColumn.Test[] must;
    private final FieldColumn.Test[] should;
    private final FieldColumn.Test[] mustNot;
    private final boolean matchesMissing;

    CompiledFilter(FieldIndex index, FieldColumn.Test[][] tests, boolean matchesMissing) {
        this.index = index;
        this.must = tests[0];
        this.should = tests[1];
        this.mustNot = tests[2];
        this.matchesMissing = matchesMissing;
    }

    /** Whether the id of {@code ord} matches. */
    boolean test(int ord) {
        for (FieldColumn.Test t : must) {
            if (!t.test(ord)) {
                return false;
            }
        }
        if (should.length > 0) {
            boolean any = false;
            for (int i = 0; i < should.length && !any; i++) {
                any = should[i].test(ord);
            }
            if (!any) {
                return false;
            }
        }
        for (FieldColumn.Test t : mustNot) {
            if (t.test(ord)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int matchCount(int liveIds) {
        int entries = index.size();
        double share = 1;
        for (FieldColumn.Test t : must) {
            share *= fraction(t, entries);
        }
        if (should.length > 0) {
            double none = 1;
            for (FieldColumn.Test t : should) {
                none *= 1 - fraction(t, entries);
            }
            share *= 1 - none;
        }
        for (FieldColumn.Test t : mustNot) {
            share *= 1 - fraction(t, entries);
        }
        long estimate = Math.round(share * entries) + (matchesMissing ? Math.max(0, liveIds - entries) : 0);
        return (int) Math.min(liveIds, estimate);
    }

    private static double fraction(FieldColumn.Test t, int entries) {
        return entries == 0 ? 0 : Math.min(1.0, (double) t.estimate(entries) / entries);
    }

    @Override
    public boolean acceptsNode(int node, NodeIds ids) {
        int ord = index.ordOfSlot(node, ids);
        return ord < 0 ? matchesMissing : test(ord);
    }

    @Override
    public boolean acceptsId(String id) {
        int ord = index.ordOf(id);
        return ord < 0 ? matchesMissing : test(ord);
    }

    @Override
    public boolean forEachMatch(MatchVisitor visitor) {
        if (matchesMissing) {
            return false;
        }
        FieldColumn.Test driver = null;
        int best = Integer.MAX_VALUE;
        for (FieldColumn.Test t : must) {
            int e = t.estimate(index.size());
            if (e < best && t.listable()) {
                driver = t;
                best = e;
            }
        }
        if (driver == null || !driver.candidates(ord -> visit(ord, visitor))) {
            for (int ord = index.live().nextSetBit(0); ord >= 0; ord = index.live().nextSetBit(ord + 1)) {
                visit(ord, visitor);
            }
        }
        return true;
    }

    private void visit(int ord, MatchVisitor visitor) {
        if (test(ord)) {
            visitor.match(index.idOf(ord), index.slotHint(ord));
        }
    }
}
