package io.flinkhnsw.filter;

import io.flinkhnsw.hnsw.IdFilter;

import java.util.BitSet;

/**
 * A {@link Filter} evaluated against one key's {@link FieldIndex}: the exact set of matching
 * ordinals, and whether an id without an entry (no payload) matches, which holds only for a filter
 * with nothing but {@code must_not} conditions. Valid until the field index changes; one per query.
 */
public final class CompiledFilter implements IdFilter {
    private final FieldIndex index;
    private final BitSet matches;
    private final int count;
    private final boolean matchesMissing;

    CompiledFilter(FieldIndex index, BitSet matches, boolean matchesMissing) {
        this.index = index;
        this.matches = matches;
        this.count = matches.cardinality();
        this.matchesMissing = matchesMissing;
    }

    @Override
    public int matchCount(int liveIds) {
        return matchesMissing ? count + Math.max(0, liveIds - index.size()) : count;
    }

    @Override
    public boolean acceptsNode(int node, String id) {
        int ord = index.ordOfSlot(node, id);
        return ord < 0 ? matchesMissing : matches.get(ord);
    }

    @Override
    public boolean acceptsId(String id) {
        int ord = index.ordOf(id);
        return ord < 0 ? matchesMissing : matches.get(ord);
    }

    @Override
    public boolean forEachMatch(MatchVisitor visitor) {
        if (matchesMissing) {
            return false;
        }
        for (int ord = matches.nextSetBit(0); ord >= 0; ord = matches.nextSetBit(ord + 1)) {
            visitor.match(index.idOf(ord), index.slotHint(ord));
        }
        return true;
    }
}
