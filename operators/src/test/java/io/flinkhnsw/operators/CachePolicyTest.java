package io.flinkhnsw.operators;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static io.flinkhnsw.operators.IndexEvent.query;
import static io.flinkhnsw.operators.IndexEvent.upsert;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the byte budget drops first, through the operator on RocksDB: a graph that was used often
 * is not the first victim again right after its key comes back from state (its scores outlive the
 * key's eviction), and a key moving its backlog into its graph keeps that graph in memory against graphs
 * used less often than the key receives events. Answers never depend on it (TenantsTest); these
 * tests count what is read back from state.
 */
class CachePolicyTest {
    private static final int DIM = 8;
    private static final int FLAT_LIMIT = 200;

    private final SplittableRandom random = new SplittableRandom(5);

    private void feed(IndexHarness h, List<IndexEvent> events) throws Exception {
        for (IndexEvent e : events) {
            h.process(e);
            h.drainResults();
            assertThat(h.drainRejected()).as("rejected at %s", e).isEmpty();
        }
    }

    private List<IndexEvent> upserts(String key, int from, int count) {
        List<IndexEvent> out = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            out.add(upsert(key, "v" + i, RandomEvents.vector(random, DIM), null));
        }
        return out;
    }

    private IndexEvent aQuery(String key) {
        return query(key, "q", RandomEvents.vector(random, DIM), 5, 0);
    }

    /** Accounted bytes of {@code events}' keys when each holds alone what the events give it. */
    private static long bytesOf(List<IndexEvent> events) throws Exception {
        try (IndexHarness h = IndexHarness.open(IndexSettings.builder().flatLimit(FLAT_LIMIT).build())) {
            for (IndexEvent e : events) {
                h.process(e);
            }
            return h.function().indexMemoryBytes();
        }
    }

    @Test
    void aGraphUsedOftenIsNotTheFirstVictimAgainWhenItsKeyComesBack() throws Exception {
        List<IndexEvent> often = new ArrayList<>(upserts("often", 0, FLAT_LIMIT + 80));
        for (int i = 0; i < 60; i++) {
            often.add(aQuery("often"));
        }
        List<IndexEvent> others = new ArrayList<>();
        for (String key : new String[] {"g1", "g2"}) {
            others.addAll(upserts(key, 0, FLAT_LIMIT + 80));
            others.add(aQuery(key));
        }
        List<IndexEvent> big = upserts("big", 0, 4 * FLAT_LIMIT);
        long budget = bytesOf(others) + bytesOf(often) / 2; // two of the three graphs fit
        assertThat(bytesOf(big)).isGreaterThan(budget);
        try (IndexHarness h = IndexHarness.open(IndexSettings.builder().flatLimit(FLAT_LIMIT)
                .indexMemoryBytes(budget).maxVectorsPerKey(1_000_000).build())) {
            feed(h, often);
            feed(h, big); // alone over the budget: every other key leaves memory
            feed(h, others);
            List<IndexEvent> rounds = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                rounds.add(aQuery("often"));
                rounds.add(aQuery(i % 2 == 0 ? "g1" : "g2"));
            }
            long before = h.function().metrics().graphLoads();
            feed(h, rounds);
            long loads = h.function().metrics().graphLoads() - before;
            // "often", queried sixty times before it left, is read back once and stays; g1 and g2,
            // queried once each, take turns (11 loads; 20 when "often" comes back with no scores)
            assertThat(loads).as("graphs read back from state").isLessThanOrEqualTo(1 + 10);
        }
    }

    @Test
    void aKeyMovingItsBacklogIntoItsGraphKeepsItInMemoryAgainstLessUsedGraphs() throws Exception {
        List<IndexEvent> draining = upserts("draining", 0, FLAT_LIMIT + 40); // a graph, then a backlog of 40
        List<IndexEvent> queried = new ArrayList<>();
        for (String key : new String[] {"g1", "g2"}) {
            queried.addAll(upserts(key, 0, FLAT_LIMIT + 80)); // a graph that has drained its backlog
            for (int i = 0; i < 20; i++) {
                queried.add(aQuery(key));
            }
        }
        // two graph keys fit, three do not
        long budget = bytesOf(draining) + bytesOf(queried) * 2 / 3;
        assertThat(bytesOf(RandomEvents.concat(draining, queried))).isGreaterThan(budget);
        try (IndexHarness h = IndexHarness.open(IndexSettings.builder().flatLimit(FLAT_LIMIT)
                .indexMemoryBytes(budget).maxVectorsPerKey(1_000_000).build())) {
            feed(h, queried);
            feed(h, draining.subList(0, FLAT_LIMIT)); // the next write starts the drain
            List<IndexEvent> mixed = new ArrayList<>();
            List<IndexEvent> writes = draining.subList(FLAT_LIMIT, draining.size());
            for (int i = 0; i < writes.size(); i++) {
                mixed.add(writes.get(i));
                mixed.add(aQuery(i % 2 == 0 ? "g1" : "g2"));
            }
            long before = h.function().metrics().graphLoads();
            feed(h, mixed);
            long loads = h.function().metrics().graphLoads() - before;
            // 16 loads when the draining graph scores the key's events, 29 when it scores its past uses
            // and is dropped after most of the writes that read it back
            assertThat(loads).as("graphs read back from state").isLessThanOrEqualTo(writes.size() / 2);
        }
    }
}
