package io.flinkhnsw.operators;

import io.flinkhnsw.hnsw.HnswConfig;
import io.flinkhnsw.hnsw.HnswIndex;
import io.flinkhnsw.hnsw.SearchResult;
import io.flinkhnsw.operators.state.V1Format;
import io.flinkhnsw.vector.Metric;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A snapshot in the v1 layout (node records and per-layer link lists, as the previous releases
 * wrote them: with Boolean tombstones, and later with deletion sequences) restores into today's
 * operator: every key answers exactly like the graph it was written from, and after the next
 * checkpoint the keys are in the current layout and still answer the same after another restore.
 */
class V1SavepointTest {
    private static final int DIM = 8;
    private static final HnswConfig CONFIG = HnswConfig.defaults(Metric.L2);

    /** Writes the v1 state of the key named by the element, from graphs built beforehand. */
    static final class V1Job extends KeyedProcessFunction<String, String, String> {
        private final Map<String, V1Format.Writer> graphs;

        V1Job(Map<String, V1Format.Writer> graphs) {
            this.graphs = graphs;
        }

        @Override
        public void processElement(String key, Context ctx, Collector<String> out) {
            graphs.get(key).replay(getRuntimeContext());
        }
    }

    @ParameterizedTest(name = "deletion sequences: {0}")
    @ValueSource(booleans = {false, true})
    void aV1SnapshotRestoresIntoTodaysOperatorAndMovesToTheCurrentLayout(boolean deletionSequences) throws Exception {
        Map<String, V1Format.Writer> writers = Map.of("a", new V1Format.Writer(deletionSequences),
                "b", new V1Format.Writer(deletionSequences));
        Map<String, HnswIndex> graphs = Map.of("a", HnswIndex.create(CONFIG, writers.get("a")),
                "b", HnswIndex.create(CONFIG, writers.get("b")));
        SplittableRandom random = new SplittableRandom(9);
        for (String key : List.of("a", "b")) {
            for (int i = 0; i < 400; i++) {
                graphs.get(key).upsert("v" + i, RandomEvents.vector(random, DIM));
                if (i % 11 == 0) {
                    graphs.get(key).delete("v" + random.nextInt(i + 1));
                }
            }
        }
        OperatorSubtaskState v1;
        try (var h = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new V1Job(writers)),
                (String k) -> k, Types.STRING, IndexHarness.MAX_PARALLELISM, 1, 0)) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
            h.open();
            h.processElement("a", 0L);
            h.processElement("b", 0L);
            v1 = h.snapshot(1L, 1L);
        }
        List<IndexEvent> probes = new ArrayList<>();
        List<List<String>> expected = new ArrayList<>();
        for (int q = 0; q < 20; q++) {
            String key = q % 2 == 0 ? "a" : "b";
            IndexEvent probe = IndexEvent.query(key, "q" + q, RandomEvents.vector(random, DIM), 10, 0);
            probes.add(probe);
            SearchResult r = graphs.get(key).search(probe.vector, 10, CONFIG.efFor(10));
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < r.size(); i++) {
                ids.add(r.id(i) + "@" + r.distance(i));
            }
            expected.add(ids);
        }
        IndexSettings settings = IndexSettings.builder().indexMemoryBytes(1).maxVectorsPerKey(1_000_000).build();
        OperatorSubtaskState converted;
        try (IndexHarness h = IndexHarness.open(settings, 1, 0, v1)) {
            assertThat(answers(h, probes)).isEqualTo(expected);
            assertThat(h.ask(IndexEvent.query("a", "size", new float[DIM], 1, 0)).indexSize)
                    .isEqualTo(graphs.get("a").size());
            converted = h.snapshot(2L);
        }
        try (IndexHarness h = IndexHarness.open(settings, 1, 0, converted)) {
            assertThat(answers(h, probes)).isEqualTo(expected);
            h.process(IndexEvent.upsert("a", "new", RandomEvents.vector(random, DIM), null));
            assertThat(h.drainRejected()).isEmpty();
            assertThat(h.function().stats().keys()).as("both keys counted once they were touched").isEqualTo(2);
        }
    }

    private static List<List<String>> answers(IndexHarness h, List<IndexEvent> probes) throws Exception {
        List<List<String>> out = new ArrayList<>();
        for (IndexEvent p : probes) {
            QueryResult r = h.ask(p);
            out.add(r.neighbours.stream().map(n -> n.id + "@" + n.distance).toList());
        }
        return out;
    }
}
