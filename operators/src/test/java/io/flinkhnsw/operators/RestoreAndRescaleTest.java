package io.flinkhnsw.operators;

import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A snapshot restored into a new operator, at the same or another parallelism, answers every query
 * exactly as the operator it was taken from, and keeps doing so as both receive the same further
 * events, standing queries' updates included (same neighbours, same sequence numbers): the keys
 * rebuilt from keyed state (graphs, backlogs, subscriptions, keys evicted under a small budget)
 * are the keys that were checkpointed, not just similar ones.
 */
class RestoreAndRescaleTest {
    private static final int KEYS = 8;
    private static final int DIM = 12;
    /** Keys turn into graphs part way through the history; a small budget keeps only a few keys in memory. */
    private static final IndexSettings SETTINGS = IndexSettings.builder().flatLimit(60).indexMemoryBytes(40_000)
            .maxVectorsPerKey(1_000_000).build();

    /** Standing queries made first, on empty keys, then kept through the whole history. */
    private final List<IndexEvent> history = RandomEvents.concat(RandomEvents.subscriptions(KEYS, 3, DIM, 10L),
            RandomEvents.mixed(KEYS, 150, DIM, 11L));
    private final List<IndexEvent> probes = RandomEvents.queries(KEYS, 6, DIM, 12L);
    private final List<IndexEvent> later = RandomEvents.mixed(KEYS, 40, DIM, 13L);

    @Test
    void restoreAnswersIdentically() throws Exception {
        try (IndexHarness original = IndexHarness.open(SETTINGS)) {
            feed(List.of(original), history);
            original.drainResults();
            original.drainUpdates();
            KeyStats stats = original.function().stats();
            assertThat(stats.graphKeys()).as("keys with graphs and backlogs").isPositive();
            assertThat(original.function().cachedKeys()).as("keys evicted under the budget").isLessThan(KEYS);
            OperatorSubtaskState snapshot = original.snapshot(1L);
            List<Object> expected = feed(List.of(original), RandomEvents.concat(probes, later, probes));
            try (IndexHarness restored = IndexHarness.open(SETTINGS, 1, 0, snapshot)) {
                assertThat(feed(List.of(restored), RandomEvents.concat(probes, later, probes))).isEqualTo(expected);
            }
            assertThat(expected).hasSizeGreaterThan(2 * probes.size());
            assertThat(expected).anySatisfy(r -> assertThat(((QueryResult) r).neighbours).hasSize(10));
            assertThat(expected).as("standing queries' updates").anySatisfy(r -> assertThat(r).isInstanceOf(SubscriptionUpdate.class));
        }
    }

    @ParameterizedTest(name = "2 -> {0}")
    @ValueSource(ints = {1, 4})
    void rescaleAnswersIdentically(int newParallelism) throws Exception {
        List<IndexHarness> two = List.of(IndexHarness.open(SETTINGS, 2, 0, null), IndexHarness.open(SETTINGS, 2, 1, null));
        try {
            feed(two, history);
            two.forEach(IndexHarness::drainResults);
            two.forEach(IndexHarness::drainUpdates);
            assertThat(history.stream().map(e -> IndexHarness.subtaskOf(e.key, 2)).distinct())
                    .as("both subtasks own keys").hasSize(2);
            OperatorSubtaskState packed = AbstractStreamOperatorTestHarness.repackageState(
                    two.get(0).snapshot(1L), two.get(1).snapshot(1L));
            List<Object> expected = feed(two, RandomEvents.concat(probes, later, probes));

            List<IndexHarness> rescaled = new ArrayList<>();
            try {
                for (int i = 0; i < newParallelism; i++) {
                    rescaled.add(IndexHarness.open(SETTINGS, newParallelism, i, AbstractStreamOperatorTestHarness
                            .repartitionOperatorState(packed, IndexHarness.MAX_PARALLELISM, 2, newParallelism, i)));
                }
                assertThat(feed(rescaled, RandomEvents.concat(probes, later, probes))).isEqualTo(expected);
            } finally {
                for (IndexHarness h : rescaled) {
                    h.close();
                }
            }
        } finally {
            for (IndexHarness h : two) {
                h.close();
            }
        }
    }

    /** Routes each event to the subtask keyBy would, and collects the results and updates in event order. */
    static List<Object> feed(List<IndexHarness> subtasks, List<IndexEvent> events) throws Exception {
        List<Object> out = new ArrayList<>();
        for (IndexEvent e : events) {
            IndexHarness h = subtasks.get(IndexHarness.subtaskOf(e.key, subtasks.size()));
            h.process(e);
            out.addAll(h.drainResults());
            // updates of different subscriptions for one event come in no promised order
            h.drainUpdates().stream().sorted(Comparator.comparing(u -> u.subscriptionId)).forEach(out::add);
            assertThat(h.drainRejected()).isEmpty();
        }
        return out;
    }
}
