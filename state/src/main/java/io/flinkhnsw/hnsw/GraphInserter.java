package io.flinkhnsw.hnsw;

import java.util.Arrays;

/**
 * Adds a node to an {@link HnswGraph} as in hnswlib: greedy descent to the node's top layer, then
 * on each layer down to 0 a beam search with efConstruction, heuristic selection of up to M
 * neighbours (on layer 0 2M once the graph has seen a delete, see {@link #selectionLimit}), and
 * reverse links; a neighbour whose list is full (M, or 2M on layer
 * 0) is re-pruned with the same heuristic. Tombstones are never chosen as neighbours.
 */
final class GraphInserter {
    private final HnswGraph graph;
    private final GraphSearcher searcher;
    private final NeighborSelector selector;
    private final int efConstruction;
    private long[] found;
    private final long[] chosen;
    private final long[] pruneInput;
    private final long[] pruneOutput;
    private final int[] linkBuffer;
    private final float[] query;
    private final float[] neighbourVector;
    private final int[] pruneNodes;
    private final int[] pruneOffsets;
    private final float[] pruneDistances;

    GraphInserter(HnswGraph graph, GraphSearcher searcher, NeighborSelector selector, int efConstruction) {
        this.graph = graph;
        this.searcher = searcher;
        this.selector = selector;
        this.efConstruction = efConstruction;
        this.found = new long[Math.max(efConstruction, graph.maxConn0 + 1)];
        this.chosen = new long[graph.maxConn0 + 1];
        this.pruneInput = new long[graph.maxConn0 + 1];
        this.pruneOutput = new long[graph.maxConn0 + 1];
        this.linkBuffer = new int[graph.maxConn0 + 1];
        this.query = graph.newQuery();
        this.neighbourVector = graph.newQuery();
        this.pruneNodes = new int[graph.maxConn0];
        this.pruneOffsets = new int[graph.maxConn0];
        this.pruneDistances = new float[graph.maxConn0];
    }

    /** Inserts a prepared vector with the given top layer; returns its node. */
    int insert(String id, int level, float[] vector) {
        HnswGraph g = graph;
        int top = g.maxLevel;
        boolean empty = g.entryPoint == GraphHeader.NO_ENTRY;
        float[] query = this.query;
        g.prepareQuery(vector, 1.0, query);
        int entry = empty ? GraphHeader.NO_ENTRY : searcher.descend(query, level);
        float entryDistance = searcher.lastDistance();
        if (empty) {
            int node = g.addNode(id, level, vector, 0);
            g.setEntryPoint(node, level);
            return node;
        }
        int node = -1;
        for (int layer = Math.min(level, top); layer >= 0; layer--) {
            int n = searchNeighbours(query, entry, entryDistance, layer);
            if (node < 0) {
                // the slot is taken once the nearest node is known, so the node lands beside it in memory
                node = g.addNode(id, level, vector, n == 0 ? entry : ScoredNode.node(found[0]));
            }
            if (n == 0) {
                continue;
            }
            int kept = selector.select(found, n, selectionLimit(layer), chosen);
            g.setLinks(node, layer, nodesOf(chosen, kept), kept);
            for (int i = 0; i < kept; i++) {
                addReverseLink(ScoredNode.node(chosen[i]), node, ScoredNode.distance(chosen[i]), layer);
            }
            entry = ScoredNode.node(found[0]);
            entryDistance = ScoredNode.distance(found[0]);
        }
        if (level > top) {
            g.setEntryPoint(node, level);
        }
        return node;
    }

    /**
     * How many neighbours a new node selects on {@code layer}: M, as hnswlib does, until the graph
     * has seen its first delete (a replacing upsert is one); from then on as many as the layer holds
     * (2M on layer 0, as Lucene does). With M on layer 0, nodes re-inserted under churn have fewer
     * links than the nodes they replace (which gathered reverse links over the build) and recall
     * falls round after round; with 2M always, a build without deletes inserted 25-35 % slower and
     * searched no faster at equal recall (ARCHITECTURE.md, "Search speed"). The delete count is part
     * of the stored header, so a restored graph chooses as the original would.
     */
    private int selectionLimit(int layer) {
        return layer == 0 && graph.deleteSequence == 0 ? graph.m : graph.maxConnections(layer);
    }

    /**
     * Beam search with efConstruction on {@code layer} from {@code entry}, as an insert does; also how
     * a cut-off node is linked back in. Returns how many candidates it put, nearest
     * first, in {@link #found}.
     */
    int searchNeighbours(float[] query, int entry, float entryDistance, int layer) {
        searcher.searchLayer(query, entry, entryDistance, efConstruction, layer);
        if (found.length < searcher.resultCount()) {
            found = new long[searcher.resultCount()];
        }
        return searcher.drainAscending(found);
    }

    long[] found() {
        return found;
    }

    /** Adds {@code target} to {@code node}'s links on {@code layer}, re-pruning when the list is full. */
    void addReverseLink(int node, int target, float distance, int layer) {
        HnswGraph g = graph;
        int[] links = g.linkArray(node, layer);
        int base = g.linkBase(node, layer);
        int count = links[base];
        int max = g.maxConnections(layer);
        if (count < max) {
            g.appendLink(node, layer, target);
            return;
        }
        int live = 0;
        for (int i = 1; i <= count; i++) {
            int other = links[base + i];
            if (!g.tombstone[other]) {
                pruneOffsets[live] = g.vectorOffset(other);
                pruneNodes[live++] = other;
            }
        }
        g.prepareNodeQuery(node, neighbourVector);
        g.distances(neighbourVector, pruneOffsets, live, pruneDistances);
        int n = 0;
        for (; n < live; n++) {
            pruneInput[n] = ScoredNode.encode(pruneDistances[n], pruneNodes[n]);
        }
        pruneInput[n++] = ScoredNode.encode(distance, target);
        Arrays.sort(pruneInput, 0, n);
        int kept = selector.select(pruneInput, n, max, pruneOutput);
        g.setLinks(node, layer, nodesOf(pruneOutput, kept), kept);
    }

    private int[] nodesOf(long[] codes, int count) {
        for (int i = 0; i < count; i++) {
            linkBuffer[i] = ScoredNode.node(codes[i]);
        }
        return linkBuffer;
    }
}
