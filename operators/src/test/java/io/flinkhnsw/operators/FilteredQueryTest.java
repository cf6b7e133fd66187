package io.flinkhnsw.operators;

import io.flinkhnsw.filter.FilterFields;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Filtered queries through the operator: the field index follows upserts, payload changes and
 * deletes, is rebuilt from the stored payloads when a key comes back into memory (evicted under a
 * small budget, or after a restore), and answers exactly as an operator that kept every key in
 * memory; a filter on an undeclared field or of the wrong type is rejected with its reason, and
 * the query answered with it.
 */
class FilteredQueryTest {
    private static final int KEYS = 6;
    private static final int DIM = 8;
    private static final String[] COLORS = {"red", "blue", "green"};
    private static final FilterFields FIELDS = FilterFields.parse("color:keyword,price:number");
    private static final String RED_UNDER_50 =
            "{\"must\":[{\"field\":\"color\",\"match\":\"red\"},{\"field\":\"price\",\"range\":{\"lt\":50}}]}";
    private static final String NOT_BLUE = "{\"must_not\":[{\"field\":\"color\",\"match\":\"blue\"}]}";

    private static IndexSettings settings(long memory) {
        return IndexSettings.builder().flatLimit(60).indexMemoryBytes(memory).maxVectorsPerKey(1_000_000)
                .filterFields(FIELDS).build();
    }

    /** Upserts with payloads (some replacing payloads or dropping them), deletes, over several keys. */
    private static List<IndexEvent> history(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<IndexEvent> events = new ArrayList<>();
        for (int i = 0; i < KEYS * 250; i++) {
            String key = "k" + rnd.nextInt(KEYS);
            String id = "v" + rnd.nextInt(200);
            if (rnd.nextInt(10) == 0) {
                events.add(IndexEvent.delete(key, id));
            } else {
                String payload = rnd.nextInt(8) == 0 ? null : "{\"color\":\"" + COLORS[rnd.nextInt(3)] + "\",\"price\":"
                        + rnd.nextInt(100) + "}";
                events.add(IndexEvent.upsert(key, id, RandomEvents.vector(rnd, DIM), payload));
            }
        }
        return events;
    }

    private static List<IndexEvent> probes(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<IndexEvent> probes = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            IndexEvent q = IndexEvent.query("k" + (i % KEYS), "q" + i, RandomEvents.vector(rnd, DIM), 10, 0);
            q.filter = i % 2 == 0 ? RED_UNDER_50 : NOT_BLUE;
            probes.add(q);
        }
        return probes;
    }

    @Test
    void coldAndRestoredKeysAnswerAsKeysKeptInMemory() throws Exception {
        List<IndexEvent> history = history(3);
        List<IndexEvent> probes = probes(4);
        List<IndexEvent> later = history(5).subList(0, 300);
        try (IndexHarness warm = IndexHarness.open(settings(1L << 30));
             IndexHarness cold = IndexHarness.open(settings(30_000))) {
            warm.feed(history);
            cold.feed(history);
            assertThat(cold.function().cachedKeys()).as("keys evicted under the small budget").isLessThan(KEYS);
            List<QueryResult> expected = warm.feed(RandomEvents.concat(probes, later, probes));
            OperatorSubtaskState snapshot = cold.snapshot(1L);
            assertThat(cold.feed(RandomEvents.concat(probes, later, probes))).isEqualTo(expected);
            try (IndexHarness restored = IndexHarness.open(settings(30_000), 1, 0, snapshot)) {
                assertThat(restored.feed(RandomEvents.concat(probes, later, probes))).isEqualTo(expected);
            }
            for (int i = 0; i < expected.size(); i++) {
                boolean red = i % 2 == 0;
                for (Neighbour n : expected.get(i).neighbours) {
                    if (red) {
                        assertThat(n.payload).contains("\"color\":\"red\"");
                        assertThat(Integer.parseInt(n.payload.replaceAll(".*\"price\":(\\d+).*", "$1"))).isLessThan(50);
                    } else {
                        assertThat(n.payload == null || !n.payload.contains("\"blue\"")).as(n.payload).isTrue();
                    }
                }
            }
            assertThat(expected).anySatisfy(r -> assertThat(r.neighbours).hasSize(10));
            assertThat(expected).anySatisfy(r -> assertThat(r.neighbours).anySatisfy(n -> assertThat(n.payload).isNull()));
        }
    }

    @Test
    void badFiltersAreRejectedWithTheirReason() throws Exception {
        try (IndexHarness h = IndexHarness.open(settings(1L << 30))) {
            h.feed(history(3).subList(0, 100));
            IndexEvent undeclared = IndexEvent.query("k1", "q", new float[DIM], 3, 0);
            undeclared.filter = "{\"must\":[{\"field\":\"size\",\"match\":\"xl\"}]}";
            IndexEvent wrongType = IndexEvent.query("k1", "q", new float[DIM], 3, 0);
            wrongType.filter = "{\"must\":[{\"field\":\"color\",\"range\":{\"gt\":1}}]}";
            h.process(undeclared);
            h.process(wrongType);
            assertThat(h.drainRejected()).extracting(r -> r.reason).satisfiesExactly(
                    r -> assertThat(r).contains("field 'size' is not filterable"),
                    r -> assertThat(r).contains("range does not apply to keyword field 'color'"));
            assertThat(h.drainResults()).as("answered with the reason").extracting(r -> r.error).satisfiesExactly(
                    r -> assertThat(r).contains("field 'size' is not filterable"),
                    r -> assertThat(r).contains("range does not apply to keyword field 'color'"));
        }
    }
}
