package io.flinkhnsw.hnsw;

import io.flinkhnsw.vector.Metric;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The two tiers of {@link KeyIndex}: the flat tier is exact under any mix of
 * upserts, replacements and deletes; a key becomes a graph at its flat limit and drains the
 * backlog by {@link KeyIndex#MOVES_PER_WRITE} per write, answering exactly like the flat tier while
 * the graph is small enough to be searched exhaustively; the same events give the same index, and
 * what the listener and graph store received loads back into the same index at any point; and the
 * accounted bytes of a small key stay within its vectors plus well under 1 KB.
 */
class KeyIndexTest {
    private static final int DIM = 8;

    /** What a store would hold: the flat slots as the listener reports them, the header, the graph. */
    private static final class Capture implements KeyIndex.Listener {
        final Map<Integer, Object[]> flat = new HashMap<>();
        final MapGraphStore graph = new MapGraphStore();
        KeyIndex index;
        int headerChanges;

        @Override
        public void headerChanged() {
            headerChanges++;
        }

        @Override
        public void flatChanged(int slot) {
            float[] v = new float[index.dimension()];
            index.flatVector(slot, v);
            flat.put(slot, new Object[] {index.flatId(slot), v});
        }

        @Override
        public void flatRemoved(int slot) {
            flat.remove(slot);
        }

        /** The stored graph, counting loads. */
        final KeyIndex.GraphSource source = new KeyIndex.GraphSource() {
            @Override
            public HnswIndex load() {
                graphLoads++;
                return HnswIndex.load(graph);
            }

            @Override
            public boolean contains(String id) {
                return vector(id) != null;
            }

            @Override
            public float[] vector(String id) {
                for (Map.Entry<Integer, Object[]> e : graph.nodes.entrySet()) {
                    if (e.getValue()[0].equals(id) && !graph.tombstones.containsKey(e.getKey())) {
                        return ((float[]) e.getValue()[2]).clone();
                    }
                }
                return null;
            }
        };
        int graphLoads;

        /** A copy of what is stored, loaded as a key is: header and backlog now, the graph when it is needed. */
        Capture reload(int flatLimit) {
            Capture next = new Capture();
            next.flat.putAll(flat);
            next.graph.copyFrom(graph);
            next.index = KeyIndex.load(index.header(), (count, visitor) -> {
                assertThat(flat).hasSize(count);
                flat.forEach((slot, rec) -> visitor.slot(slot, (String) rec[0], (float[]) rec[1]));
            }, graph.readHeader(), flatLimit, next, next.graph, next.source);
            return next;
        }
    }

    private static KeyIndex create(Metric metric, int flatLimit, Capture capture) {
        KeyIndex index = KeyIndex.create(HnswConfig.defaults(metric), flatLimit, capture, capture.graph, capture.source);
        capture.index = index;
        return index;
    }

    private static float[] vector(SplittableRandom random) {
        float[] v = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            v[i] = (float) random.nextInt(-3, 4); // few distinct values: many exact ties
        }
        return v;
    }

    /** A vector without exact ties to others. */
    private static float[] continuous(SplittableRandom random) {
        float[] v = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            v[i] = (float) random.nextDouble(-1, 1);
        }
        return v;
    }

    /** Applies a random mix to the index and to a model of what it holds; returns the model. */
    private static Map<String, float[]> churn(KeyIndex index, Map<String, float[]> model, int ops, int ids, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < ops; i++) {
            String id = "id-" + random.nextInt(ids);
            if (random.nextInt(5) == 0) {
                assertThat(index.delete(id)).isEqualTo(model.remove(id) != null);
            } else {
                float[] v = vector(random);
                index.upsert(id, v);
                model.put(id, v);
            }
            assertThat(index.size()).isEqualTo(model.size());
        }
        return model;
    }

    private static List<String> answers(KeyIndex index, long seed, int ef) {
        SplittableRandom random = new SplittableRandom(seed);
        List<String> out = new ArrayList<>();
        for (int q = 0; q < 30; q++) {
            SearchResult r = index.search(vector(random), 7, ef);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < r.size(); i++) {
                sb.append(r.id(i)).append('@').append(r.distance(i)).append(' ');
            }
            out.add(sb.toString());
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(Metric.class)
    void flatTierIsExact(Metric metric) {
        KeyIndex index = create(metric, 1_000, new Capture());
        Map<String, float[]> model = churn(index, new LinkedHashMap<>(), 400, 150, 1);
        assertThat(index.isGraph()).isFalse();
        SplittableRandom random = new SplittableRandom(2);
        for (int q = 0; q < 50; q++) {
            float[] query = vector(random);
            query[0] = 5; // never all zeros, fine for cosine
            SearchResult r = index.search(query, 10, 10);
            List<Double> truth = new ArrayList<>();
            model.values().forEach(v -> truth.add(distance(metric, v, query)));
            truth.sort(null);
            assertThat(r.size()).isEqualTo(Math.min(10, model.size()));
            for (int i = 0; i < r.size(); i++) {
                assertThat((double) r.distance(i)).isCloseTo(truth.get(i), org.assertj.core.data.Offset.offset(1e-4));
                assertThat((double) r.distance(i)).isCloseTo(distance(metric, model.get(r.id(i)), query),
                        org.assertj.core.data.Offset.offset(1e-4));
            }
        }
    }

    private static double distance(Metric metric, float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        double l2 = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
            l2 += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return switch (metric) {
            case L2 -> l2;
            case INNER_PRODUCT -> 1 - dot;
            case COSINE -> 1 - dot / Math.sqrt(na) / Math.sqrt(nb);
        };
    }

    @Test
    void aFullBacklogDrainsIntoTheGraphAFewVectorsPerWrite() {
        KeyIndex index = create(Metric.L2, 40, new Capture());
        KeyIndex flatOnly = create(Metric.L2, 1_000, new Capture());
        SplittableRandom random = new SplittableRandom(3);
        int moves = KeyIndex.MOVES_PER_WRITE;
        for (int i = 0; i < 40; i++) {
            float[] v = continuous(random);
            index.upsert("v" + i, v);
            flatOnly.upsert("v" + i, v);
            assertThat(index.isGraph()).isEqualTo(i == 39);
        }
        assertThat(index.draining()).isTrue();
        assertThat(index.flatSize()).isEqualTo(40 - moves);
        float[] v40 = continuous(random);
        index.upsert("v40", v40); // a new id joins the backlog, then the last slots move: v40 first
        flatOnly.upsert("v40", v40);
        assertThat(index.flatSize()).isEqualTo(40 + 1 - 2 * moves);
        assertThat(index.graphContains("v40")).isTrue();
        assertThat(index.delete("v40")).isTrue();
        assertThat(flatOnly.delete("v40")).isTrue();
        assertThat(index.flatSize()).isEqualTo(40 + 1 - 3 * moves);
        assertThat(index.search(continuous(random), 3, 10).size()).as("queries do not drain").isEqualTo(3);
        assertThat(index.flatSize()).isEqualTo(40 + 1 - 3 * moves);
        assertThat(index.size()).isEqualTo(40);
        // graph + backlog answer like the flat tier: the graph is searched exhaustively at this ef
        assertThat(answers(index, 4, 200)).isEqualTo(answers(flatOnly, 4, 200));
        while (index.draining()) {
            index.upsert("v" + index.size(), continuous(random));
        }
        assertThat(index.flatSize()).isZero();
        int graphSize = index.size();
        for (int i = 0; i < 39; i++) {
            index.upsert("w" + i, continuous(random));
        }
        assertThat(index.draining()).as("the backlog fills again").isFalse();
        assertThat(index.flatSize()).isEqualTo(39);
        assertThat(index.size()).isEqualTo(graphSize + 39);
    }

    @Test
    void aStoredKeyTakesWritesToItsBacklogWithoutLoadingItsGraph() {
        Capture capture = new Capture();
        KeyIndex index = create(Metric.L2, 30, capture);
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 60; i++) {
            index.upsert("v" + i, continuous(random));
        }
        while (index.draining()) {
            index.upsert("x" + index.size(), continuous(random));
        }
        Capture stored = capture.reload(30);
        KeyIndex reloaded = stored.index;
        assertThat(reloaded.graphLoaded()).isFalse();
        assertThat(reloaded.size()).isEqualTo(index.size());
        assertThat(reloaded.contains("v3")).as("asks the stored graph").isTrue();
        assertThat(reloaded.vector("v3")).as("read from the stored graph").isEqualTo(index.vector("v3"));
        assertThat(reloaded.vector("nobody")).isNull();
        int room = 30 - 1 - reloaded.flatSize();
        assertThat(room).isPositive();
        for (int i = 0; i < room; i++) {
            float[] v = continuous(random);
            reloaded.upsert("n" + i, v);
            index.upsert("n" + i, v);
        }
        assertThat(reloaded.graphLoaded()).as("new ids go to the backlog until it is full").isFalse();
        assertThat(stored.graphLoads).isZero();
        float[] replacement = continuous(random);
        reloaded.upsert("v3", replacement);
        index.upsert("v3", replacement);
        assertThat(stored.graphLoads).as("replacing a vector of the graph needs the graph").isEqualTo(1);
        assertThat(answers(reloaded, 8, 64)).isEqualTo(answers(index, 8, 64));
        assertThat(reloaded.size()).isEqualTo(index.size());
    }

    @Test
    void theSameEventsGiveTheSameIndexAndWhatWasWrittenLoadsBackAtAnyPoint() {
        Capture first = new Capture();
        Capture second = new Capture();
        KeyIndex a = create(Metric.L2, 60, first);
        KeyIndex b = create(Metric.L2, 60, second);
        Map<String, float[]> modelA = new LinkedHashMap<>();
        Map<String, float[]> modelB = new LinkedHashMap<>();
        for (int round = 0; round < 6; round++) {
            churn(a, modelA, 70, 200, 10 + round);
            churn(b, modelB, 70, 200, 10 + round);
            assertThat(answers(a, round, 40)).isEqualTo(answers(b, round, 40));
            KeyIndex reloaded = first.reload(60).index;
            assertThat(reloaded.header()).isEqualTo(a.header());
            assertThat(reloaded.tombstones()).isEqualTo(a.tombstones());
            assertThat(answers(reloaded, round, 40)).as("round %d", round).isEqualTo(answers(a, round, 40));
        }
        assertThat(a.isGraph()).isTrue();
    }

    @Test
    void checksItsInputs() {
        KeyIndex index = create(Metric.COSINE, 10, new Capture());
        assertThat(index.search(new float[] {1, 2}, 3, 10).size()).isZero();
        index.upsert("a", new float[] {1, 0});
        assertThatThrownBy(() -> index.upsert("b", new float[] {1, 0, 0})).hasMessageContaining("dimension");
        assertThatThrownBy(() -> index.upsert("b", new float[] {0, 0})).hasMessageContaining("all zeros");
        assertThatThrownBy(() -> index.upsert("", new float[] {1, 0})).hasMessageContaining("missing id");
        assertThatThrownBy(() -> index.search(new float[] {1, 0}, 0, 10)).hasMessageContaining("k is 0");
        assertThatThrownBy(() -> index.search(new float[] {1, 0}, 5, 4)).hasMessageContaining("ef is 4");
        assertThat(index.size()).isEqualTo(1);
        assertThat(index.delete("zzz")).isFalse();
    }

    @Test
    void aSmallKeyCostsItsVectorsAndIdsPlusWellUnderOneKilobyte() {
        KeyIndex index = create(Metric.L2, 0, new Capture());
        long empty = index.ramBytesUsed();
        assertThat(empty).isLessThan(256);
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < 10; i++) {
            index.upsert("v" + i, vector(random));
            long raw = (long) index.size() * (DIM * 4 + RamUsage.string(2));
            assertThat(index.ramBytesUsed() - raw).as("overhead at %d vectors", i + 1).isLessThan(512);
        }
        for (int i = 10; i < 5_000; i++) {
            index.upsert("v" + i, vector(random));
        }
        assertThat(index.isGraph()).isTrue();
        long graphBytes = index.ramBytesUsed();
        assertThat(graphBytes).as("vectors and links of a graph").isGreaterThan(5_000L * (DIM * 4 + 32 * 4));
    }
}
