package io.flinkhnsw.hnsw;

import io.flinkhnsw.vector.Metric;

import java.util.Arrays;

/**
 * Repairs the graph around tombstones, a bounded number of units at a time, oldest deletion first.
 * One unit relinks one in-neighbour of the oldest tombstone on one layer: a live in-neighbour keeps
 * its live links and replaces each link to a tombstone by at most one of that tombstone's live
 * neighbours, the nearest one the relaxed selection heuristic accepts beside the first links it
 * keeps (one more when its list is below three quarters of the layer's maximum), or, when its live links
 * alone still fill seven eighths of the list, re-prunes them with the relaxed heuristic instead; a
 * tombstone in-neighbour just drops its links to tombstones. When nothing links to a tombstone any
 * more its slot is freed (one more unit). Which unit is next is a function of the graph alone (the
 * in-neighbour {@link InLinks#next} names, on the highest layer that has one), so a graph loaded
 * from its store resumes exactly where the original was. Also links back live nodes left cut off on
 * layer 0, with no in-link or reached only from a small island ({@link #reconnectCutOff}). Design and measurements: docs/ARCHITECTURE.md, "Deletes and graph
 * repair".
 */
final class GraphRepairer {
    /** Rounds of reconnecting cut-off nodes before giving up; one is nearly always enough. */
    private static final int MAX_RECONNECT_ROUNDS = 4;
    /** The most nodes an island check follows back from a weakly linked node; islands churn leaves hold two or three. */
    private static final int MAX_ISLAND = 8;
    /**
     * DiskANN's alpha, on distances as stored: a replacement is refused only when a kept link is
     * nearer to it by this factor. 1.0 and 1.1 measured alike on glove-tune (ARCHITECTURE.md).
     */
    private static final float REPAIR_SLACK = 1.1f;
    /** A list shorter than this many quarters of the layer's maximum may grow by one link in a relink. */
    private static final int SHORT_LIST_NUMERATOR = 3;
    /** A list keeping at least this many eighths of the layer's maximum is re-pruned ({@link #pruneLiveLinks}). */
    private static final int FULL_LIST_EIGHTHS = 7;
    /** The heuristic's factor when such a list is re-pruned: 1.2 held recall where 1.0 and 1.4 lost it (ARCHITECTURE.md). */
    private static final float PRUNE_SLACK = 1.2f;
    /** Links a replacement is tested against per kernel call: 4 and 8 cost alike (ARCHITECTURE.md). */
    private static final int DIVERSITY_CHUNK = 8;
    /**
     * Links a replacement is tested against at most: a node's first links (those its selection
     * chose, nearest first, ahead of reverse links and earlier replacements) refuse nearly every
     * candidate the whole list would, and testing the rest was a third of a delete's distances
     * (ARCHITECTURE.md).
     */
    private static final int DIVERSITY_LINKS = 16;

    private final HnswGraph graph;
    private final GraphSearcher searcher;
    private final GraphInserter inserter;
    private final NeighborSelector selector;
    private final VisitedSet marks;
    private final float slack;
    private final float pruneSlack;
    private long[] candidates = new long[64];
    private final long[] selected;
    private final int[] linkBuffer;
    /** The nodes {@link #island} found. */
    private final int[] islandNodes = new int[MAX_ISLAND];
    /** The vector of the node being relinked or reconnected, padded as a query. */
    private final float[] vector;
    /** One tombstone's live links not seen yet, their vector offsets and distances: one batch. */
    private final int[] batch;
    private final int[] batchOffsets;
    private final float[] batchDistances;
    /** A replacement's vector, padded as a query, for {@link #diverse}. */
    private final float[] candidateVector;

    GraphRepairer(HnswGraph graph, GraphSearcher searcher, GraphInserter inserter, NeighborSelector selector,
            HnswConfig config) {
        this.graph = graph;
        // Slack only means something for non-negative distances: raw inner product keeps the plain heuristic.
        this.slack = config.metric() == Metric.INNER_PRODUCT ? 1f : REPAIR_SLACK;
        this.pruneSlack = config.metric() == Metric.INNER_PRODUCT ? 1f : PRUNE_SLACK;
        this.searcher = searcher;
        this.inserter = inserter;
        this.selector = selector;
        this.marks = new VisitedSet(graph.capacity());
        this.selected = new long[graph.maxConn0];
        this.linkBuffer = new int[graph.maxConn0];
        this.vector = graph.newQuery();
        this.batch = new int[graph.maxConn0];
        this.batchOffsets = new int[graph.maxConn0];
        this.batchDistances = new float[graph.maxConn0];
        this.candidateVector = graph.newQuery();
    }

    /** Performs up to {@code budget} repair units; returns how many it performed. */
    int repair(int budget) {
        HnswGraph g = graph;
        int done = 0;
        while (done < budget && !g.repairQueue.isEmpty()) {
            int dead = g.repairQueue.peek();
            int layer = g.levels[dead];
            int source = -1;
            InLinks inLinks = g.inLinks();
            while (layer >= 0 && (source = inLinks.next(dead, layer)) < 0) {
                layer--;
            }
            if (layer < 0) {
                g.removeNode(dead);
                g.repairQueue.poll();
            } else {
                if (g.tombstone[source]) {
                    dropLinksToTombstones(source, layer);
                } else {
                    relink(source, layer);
                }
            }
            done++;
        }
        return done;
    }

    /**
     * Links back every live node that an operation left cut off on layer 0: with no in-link (a link
     * pruned away or repaired around, usually), or linked to only from an island, a few nodes that
     * link to each other and to which nothing else links (reverse-link re-prunes and repair leave
     * such pairs and triples now and then, at the edges of the data). Each node whose
     * in-degree fell to {@link HnswGraph#WEAK_IN_DEGREE} or below is followed back through its
     * mutual links ({@link #island}); a node of an island gets an in-link from a reachable one. Cheap:
     * such nodes are rare, the walk back stops at {@value #MAX_ISLAND} nodes, and each node linked
     * back costs one search. Linking back can cut off another node in turn, hence the bounded loop.
     */
    void reconnectCutOff() {
        HnswGraph g = graph;
        for (int round = 0; round < MAX_RECONNECT_ROUNDS; round++) {
            int[] weak = g.takeWeaklyLinked();
            if (weak.length == 0) {
                return;
            }
            for (int node : weak) {
                if (!g.isLive(node) || node == g.entryPoint || g.entryPoint == GraphHeader.NO_ENTRY) {
                    continue;
                }
                int size = island(node);
                for (int i = 0; i < size; i++) {
                    if (g.isLive(islandNodes[i])) {
                        linkFromReachable(islandNodes[i]);
                    }
                }
            }
        }
        g.takeWeaklyLinked();
    }

    /**
     * The nodes that reach {@code node} over layer-0 links, {@code node} first, into {@link
     * #islandNodes}, and their count, when they are at most {@value #MAX_ISLAND}, the entry point is
     * not one of them and each of them is linked to only by nodes it links to (the islands churn and
     * builds leave are of mutual links): then none of them can be reached from the entry point. 0
     * otherwise; a node with no in-link at all is an island of one. A node's in-links are found among
     * its own links and counted against its in-degree, without the reverse-link index, which a graph
     * loaded without deletes does not build for this.
     */
    private int island(int node) {
        HnswGraph g = graph;
        islandNodes[0] = node;
        int size = 1;
        for (int i = 0; i < size; i++) {
            int member = islandNodes[i];
            int[] links = g.linkArray(member, 0);
            int base = g.linkBase(member, 0);
            int linkedBack = 0;
            for (int j = 1, count = links[base]; j <= count; j++) {
                int source = links[base + j];
                if (!g.hasLink(source, 0, member)) {
                    continue;
                }
                linkedBack++;
                if (source == g.entryPoint) {
                    return 0;
                }
                if (!HnswGraph.contains(islandNodes, 0, size, source)) {
                    if (size == MAX_ISLAND) {
                        return 0;
                    }
                    islandNodes[size++] = source;
                }
            }
            if (linkedBack != g.inDegree0[member]) {
                return 0; // a one-way in-link, from a node that may well be reachable
            }
        }
        return size;
    }

    /** Live nodes that cannot be reached from the entry point over layer-0 links (tombstones included). O(graph). */
    int countUnreachable() {
        HnswGraph g = graph;
        if (g.entryPoint == GraphHeader.NO_ENTRY) {
            return g.liveCount;
        }
        marks.reset(g.highWater);
        int[] queue = new int[Math.max(1, g.highWater)];
        int head = 0;
        int tail = 0;
        queue[tail++] = g.entryPoint;
        marks.add(g.entryPoint);
        while (head < tail) {
            int node = queue[head++];
            int[] links = g.linkArray(node, 0);
            int base = g.linkBase(node, 0);
            for (int i = 1, count = links[base]; i <= count; i++) {
                int next = links[base + i];
                if (marks.add(next)) {
                    queue[tail++] = next;
                }
            }
        }
        int unreachable = 0;
        for (int node = 0; node < g.highWater; node++) {
            if (g.isLive(node) && !marks.contains(node)) {
                unreachable++;
            }
        }
        return unreachable;
    }

    /** A tombstone in-neighbour keeps its links to live nodes (search still walks through it) and drops the rest. */
    private void dropLinksToTombstones(int node, int layer) {
        HnswGraph g = graph;
        int[] links = g.linkArray(node, layer);
        int base = g.linkBase(node, layer);
        int kept = 0;
        for (int i = 1, count = links[base]; i <= count; i++) {
            if (!g.tombstone[links[base + i]]) {
                linkBuffer[kept++] = links[base + i];
            }
        }
        g.setLinks(node, layer, linkBuffer, kept);
    }

    /**
     * New links for live {@code node} on {@code layer}: its live links, and for each link to a
     * tombstone at most one replacement from the tombstones' live links, nearest first, accepted
     * when none of the first kept links ({@link #diverse}) is nearer to it (by the slack) than
     * {@code node} is, plus one more when the
     * list is short ({@link #SHORT_LIST_NUMERATOR}); a list that stays nearly full goes to
     * {@link #pruneLiveLinks} instead. Replacing, not re-pruning the live links together with the
     * tombstones' (FreshDiskANN's rule), keeps the links chosen for the node; that re-pruning lost
     * more recall and cost three times as much (ARCHITECTURE.md).
     */
    private void relink(int node, int layer) {
        HnswGraph g = graph;
        marks.reset(g.highWater);
        marks.add(node);
        int[] links = g.linkArray(node, layer);
        int base = g.linkBase(node, layer);
        int count = links[base];
        int kept = 0;
        for (int i = 1; i <= count; i++) {
            int neighbour = links[base + i];
            if (!g.tombstone[neighbour]) {
                marks.add(neighbour);
                linkBuffer[kept++] = neighbour;
            }
        }
        if (kept * 8 >= g.maxConnections(layer) * FULL_LIST_EIGHTHS) {
            pruneLiveLinks(node, layer, kept);
            return;
        }
        g.prepareNodeQuery(node, vector);
        int n = 0;
        for (int i = 1; i <= count; i++) {
            int neighbour = links[base + i];
            if (g.tombstone[neighbour]) {
                n = addLiveLinks(neighbour, layer, n);
            }
        }
        // One link more than the node had while its list is short: without it repair only ever
        // shrinks lists, and 20 rounds of churn cost 0.7 points of recall (ARCHITECTURE.md).
        int limit = count < g.maxConnections(layer) * SHORT_LIST_NUMERATOR / 4 ? count + 1 : count;
        for (int i = 0; i < n && kept < limit; i++) {
            moveSmallestTo(i, n);
            int candidate = ScoredNode.node(candidates[i]);
            if (diverse(candidate, ScoredNode.distance(candidates[i]), kept)) {
                linkBuffer[kept++] = candidate;
            }
        }
        g.setLinks(node, layer, linkBuffer, kept);
    }

    /**
     * Swaps the smallest of {@code candidates[i..n)} into {@code i}: nearest first, as a sort would
     * give them (encoded candidates are distinct), for the few a relink tries before it has its
     * links, without sorting all of them.
     */
    private void moveSmallestTo(int i, int n) {
        long[] c = candidates;
        int smallest = i;
        for (int j = i + 1; j < n; j++) {
            if (c[j] < c[smallest]) {
                smallest = j;
            }
        }
        long t = c[i];
        c[i] = c[smallest];
        c[smallest] = t;
    }

    /**
     * New links for live {@code node} on {@code layer} when its {@code live} links (in
     * {@link #linkBuffer}) still nearly fill the list: those links through the heuristic relaxed by
     * {@link #PRUNE_SLACK}, keeping fewer than it has, instead of replacements. Replacing kept such
     * lists full until a re-insert's reverse link re-pruned them with the strict heuristic, and over
     * many rounds the links gathered on the nodes searches pass through (ARCHITECTURE.md).
     */
    private void pruneLiveLinks(int node, int layer, int live) {
        HnswGraph g = graph;
        g.prepareNodeQuery(node, vector);
        scoreLinkBuffer(vector, 0, live);
        if (candidates.length < live) {
            candidates = new long[live];
        }
        for (int j = 0; j < live; j++) {
            candidates[j] = ScoredNode.encode(batchDistances[j], linkBuffer[j]);
        }
        Arrays.sort(candidates, 0, live);
        int kept = selector.select(candidates, live, live - 1, selected, pruneSlack);
        for (int j = 0; j < kept; j++) {
            linkBuffer[j] = ScoredNode.node(selected[j]);
        }
        g.setLinks(node, layer, linkBuffer, kept);
    }

    /** Adds the unseen live links of {@code tombstone}, scored against {@link #vector} in one batch, to the candidates. */
    private int addLiveLinks(int tombstone, int layer, int n) {
        HnswGraph g = graph;
        int[] links = g.linkArray(tombstone, layer);
        int base = g.linkBase(tombstone, layer);
        int found = 0;
        for (int i = 1, count = links[base]; i <= count; i++) {
            int other = links[base + i];
            if (!g.tombstone[other] && marks.add(other)) {
                batchOffsets[found] = g.vectorOffset(other);
                batch[found++] = other;
            }
        }
        g.distances(vector, batchOffsets, found, batchDistances);
        if (n + found > candidates.length) {
            candidates = Arrays.copyOf(candidates, Math.max(2 * candidates.length, n + found));
        }
        for (int j = 0; j < found; j++) {
            candidates[n++] = ScoredNode.encode(batchDistances[j], batch[j]);
        }
        return n;
    }

    /**
     * True when none of the node's first {@code kept} links, up to {@value #DIVERSITY_LINKS}, is
     * nearer to {@code candidate}, by the slack, than the node is. The links are scored
     * {@value #DIVERSITY_CHUNK} at a time, so a refused candidate costs only the chunks up to the
     * first nearer link; the kernels score each vector on its own, so the distances, and the
     * decision, are those of one batch over all of them.
     */
    private boolean diverse(int candidate, float toNode, int kept) {
        graph.prepareNodeQuery(candidate, candidateVector);
        int tested = Math.min(kept, DIVERSITY_LINKS);
        for (int from = 0; from < tested; from += DIVERSITY_CHUNK) {
            int count = Math.min(DIVERSITY_CHUNK, tested - from);
            scoreLinkBuffer(candidateVector, from, count);
            for (int j = 0; j < count; j++) {
                if (slack * batchDistances[j] < toNode) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Distances from {@code query} to the {@code count} nodes of {@link #linkBuffer} from {@code from}
     * on, in one batch, into the first {@code count} of {@link #batchDistances} (free once
     * {@link #addLiveLinks} has filled the candidates).
     */
    private void scoreLinkBuffer(float[] query, int from, int count) {
        for (int j = 0; j < count; j++) {
            batchOffsets[j] = graph.vectorOffset(linkBuffer[from + j]);
        }
        graph.distances(query, batchOffsets, count, batchDistances);
    }

    /**
     * Gives a cut-off node an in-link: from its nearest reachable node with room, or, when all are full,
     * in place of the nearest one's link to its most linked-to neighbour, which stays reachable
     * through its other in-links. One whose links all led to tombstones also gets links out.
     */
    private void linkFromReachable(int node) {
        HnswGraph g = graph;
        g.prepareNodeQuery(node, vector);
        int start = searcher.descend(vector, 0);
        int n = inserter.searchNeighbours(vector, start, searcher.lastDistance(), 0);
        long[] found = inserter.found();
        if (g.linkCount(node, 0) == 0 && n > 0) {
            int kept = selector.select(found, n, g.m, selected);
            int k = 0;
            for (int i = 0; i < kept; i++) {
                if (ScoredNode.node(selected[i]) != node) {
                    linkBuffer[k++] = ScoredNode.node(selected[i]);
                }
            }
            g.setLinks(node, 0, linkBuffer, k);
        }
        int nearest = -1;
        for (int i = 0; i < n; i++) {
            int candidate = ScoredNode.node(found[i]);
            if (candidate == node) {
                continue;
            }
            if (g.hasLink(candidate, 0, node)) {
                return; // reached through a node of its island linked back before it
            }
            if (nearest < 0) {
                nearest = candidate;
            }
            if (g.linkCount(candidate, 0) < g.maxConn0) {
                g.appendLink(candidate, 0, node);
                return;
            }
        }
        if (nearest < 0) {
            return;
        }
        int[] array = g.linkArray(nearest, 0);
        int base = g.linkBase(nearest, 0);
        int count = array[base];
        int replace = 1;
        for (int i = 2; i <= count; i++) {
            if (g.inDegree0[array[base + i]] > g.inDegree0[array[base + replace]]) {
                replace = i;
            }
        }
        int[] links = Arrays.copyOfRange(array, base + 1, base + 1 + count);
        links[replace - 1] = node;
        g.setLinks(nearest, 0, links, count);
    }
}
