package io.flinkhnsw.hnsw;

import io.flinkhnsw.data.ClusteredDataset;
import io.flinkhnsw.data.ExactKnn;
import io.flinkhnsw.filter.FieldIndex;
import io.flinkhnsw.filter.Filter;
import io.flinkhnsw.filter.FilterFields;
import io.flinkhnsw.vector.Metric;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntPredicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Filtered search against brute force on random payloads: a key with a graph and a backlog, payloads
 * with keyword (some array-valued), number, bool and nested bool fields, changed by upserts and
 * deletes, and random filters of every form. Every answer holds only matching vectors, as many as
 * k or the matches allow, and finds the exact filtered top k but for a few misses; the planner scans
 * a handful of matches exactly and traverses for a filter that keeps nearly everything.
 */
class FilteredSearchTest {
    private static final int DIM = 16;
    private static final int K = 10;
    private static final String[] COLORS = {"red", "blue", "green", "black", "white"};
    private static final FilterFields FIELDS = FilterFields.parse("color:keyword,price:number,in_stock:bool,shipping.free:bool");

    /** One row's payload as the test knows it: the brute force's own view, independent of the field index. */
    private record Row(List<String> colors, Double price, Boolean inStock, Boolean free) {
        String json() {
            StringBuilder b = new StringBuilder("{");
            if (colors != null) {
                b.append("\"color\":").append(colors.size() == 1 ? "\"" + colors.get(0) + "\""
                        : "[\"" + String.join("\",\"", colors) + "\"]").append(',');
            }
            if (price != null) {
                b.append("\"price\":").append(price).append(',');
            }
            if (inStock != null) {
                b.append("\"in_stock\":").append(inStock).append(',');
            }
            b.append("\"shipping\":{\"free\":").append(free).append("},\"other\":\"x\"}");
            return b.toString();
        }
    }

    /** A condition as JSON and as the test's own predicate. */
    private record Cond(String json, java.util.function.Predicate<Row> test) {
    }

    private final SplittableRandom random = new SplittableRandom(5);

    private Row randomRow() {
        List<String> colors = random.nextInt(10) == 0 ? null : random.nextInt(4) == 0
                ? List.of(COLORS[random.nextInt(5)], COLORS[random.nextInt(5)]) : List.of(COLORS[random.nextInt(5)]);
        Double price = random.nextInt(8) == 0 ? null : (double) random.nextInt(200);
        Boolean inStock = random.nextInt(8) == 0 ? null : random.nextBoolean();
        return new Row(colors, price, inStock, random.nextInt(3) == 0);
    }

    private Cond randomCond() {
        switch (random.nextInt(5)) {
            case 0: {
                String c = COLORS[random.nextInt(5)];
                return new Cond("{\"field\":\"color\",\"match\":\"" + c + "\"}", r -> r.colors != null && r.colors.contains(c));
            }
            case 1: {
                String a = COLORS[random.nextInt(5)];
                String b = COLORS[random.nextInt(5)];
                return new Cond("{\"field\":\"color\",\"any\":[\"" + a + "\",\"" + b + "\"]}",
                        r -> r.colors != null && (r.colors.contains(a) || r.colors.contains(b)));
            }
            case 2: {
                int lo = random.nextInt(200);
                int hi = lo + random.nextInt(120);
                return new Cond("{\"field\":\"price\",\"range\":{\"gte\":" + lo + ",\"lt\":" + hi + "}}",
                        r -> r.price != null && r.price >= lo && r.price < hi);
            }
            case 3: {
                boolean v = random.nextBoolean();
                return new Cond("{\"field\":\"in_stock\",\"match\":" + v + "}", r -> r.inStock != null && r.inStock == v);
            }
            default: {
                boolean v = random.nextBoolean();
                return new Cond("{\"field\":\"shipping.free\",\"match\":" + v + "}", r -> r.free == v);
            }
        }
    }

    @Test
    void filteredSearchMatchesBruteForce() {
        int n = 3000;
        float[][] pool = new ClusteredDataset(DIM, 12, 0.3f, 9).next(n + 200);
        float[][] vectors = Arrays.copyOf(pool, n);
        KeyIndex key = KeyIndex.create(HnswConfig.defaults(Metric.L2), 400, KeyIndex.Listener.NONE, new MapGraphStore(),
                KeyIndex.GraphSource.NONE);
        FieldIndex fields = new FieldIndex(FIELDS);
        Row[] rows = new Row[n];
        for (int i = 0; i < n; i++) {
            rows[i] = randomRow();
            key.upsert(Integer.toString(i), vectors[i]);
            fields.put(Integer.toString(i), rows[i].json());
        }
        // changes: new payloads (and vectors), payloads removed, deletes
        boolean[] deleted = new boolean[n];
        for (int i = 0; i < 600; i++) {
            int row = random.nextInt(n);
            String id = Integer.toString(row);
            switch (random.nextInt(3)) {
                case 0 -> {
                    rows[row] = randomRow();
                    vectors[row] = pool[n + random.nextInt(200)];
                    key.upsert(id, vectors[row]);
                    fields.put(id, rows[row].json());
                    deleted[row] = false;
                }
                case 1 -> {
                    rows[row] = new Row(null, null, null, false);
                    fields.put(id, null);
                }
                default -> {
                    key.delete(id);
                    fields.remove(id);
                    deleted[row] = true;
                }
            }
        }
        assertThat(key.isGraph()).isTrue();
        assertThat(key.flatSize()).as("a backlog beside the graph").isPositive();

        double recall = 0;
        int queries = 0;
        for (int q = 0; q < 300; q++) {
            List<Cond> must = conds(random.nextInt(3));
            List<Cond> should = conds(random.nextInt(3));
            List<Cond> mustNot = conds(random.nextInt(2));
            String json = "{\"must\":" + array(must) + ",\"should\":" + array(should) + ",\"must_not\":" + array(mustNot) + "}";
            IntPredicate matches = row -> !deleted[row] && all(must, rows[row]) && (should.isEmpty() || any(should, rows[row]))
                    && !any(mustNot, rows[row]);
            float[] query = vectors[random.nextInt(n)];
            int[] truth = ExactKnn.nearest(vectors, query, K, Metric.L2, row -> !matches.test(row));
            SearchResult result = key.search(query, K, 64, fields.compile(Filter.parse(json, FIELDS)));
            assertThat(result.size()).as(json).isEqualTo(truth.length);
            int hits = 0;
            for (int i = 0; i < result.size(); i++) {
                int row = Integer.parseInt(result.id(i));
                assertThat(matches.test(row)).as("%s returned %d", json, row).isTrue();
                hits += Arrays.stream(truth).anyMatch(t -> t == row) ? 1 : 0;
            }
            if (truth.length > 0) {
                recall += (double) hits / truth.length;
                queries++;
            }
        }
        assertThat(recall / queries).as("filtered recall@10").isGreaterThan(0.97);
    }

    @Test
    void plannerScansFewMatchesExactlyAndTraversesWhenNearlyAllMatch() {
        int n = 4000;
        float[][] vectors = new ClusteredDataset(DIM, 12, 0.3f, 4).next(n);
        HnswIndex index = HnswIndex.create(HnswConfig.defaults(Metric.L2), new MapGraphStore());
        FieldIndex fields = new FieldIndex(FilterFields.parse("tag:keyword"));
        for (int i = 0; i < n; i++) {
            index.upsert(Integer.toString(i), vectors[i]);
            fields.put(Integer.toString(i), "{\"tag\":\"" + (i % 800 == 0 ? "rare" : i % 100 == 0 ? "uncommon" : "common") + "\"}");
        }
        FilterFields tag = FilterFields.parse("tag:keyword");
        HnswIndex.Reader reader = index.reader();
        float[] query = vectors[17];

        SearchResult rare = reader.search(query, K, 64, fields.compile(
                Filter.parse("{\"must\":[{\"field\":\"tag\",\"match\":\"rare\"}]}", tag)));
        assertThat(reader.lastPlan()).isEqualTo(FilterPlan.EXACT);
        assertThat(ids(rare)).containsExactly(ids(ExactKnn.nearest(vectors, query, K, Metric.L2, row -> row % 800 != 0)));

        // at ef 16 a traversal scores about 1,000 vectors, fewer than the 3,960 matches
        SearchResult common = reader.search(query, K, 16, fields.compile(
                Filter.parse("{\"must_not\":[{\"field\":\"tag\",\"match\":\"uncommon\"}]}", tag)));
        assertThat(reader.lastPlan()).isEqualTo(FilterPlan.TRAVERSE);
        assertThat(common.size()).isEqualTo(K);
        for (int i = 0; i < K; i++) {
            assertThat(Integer.parseInt(common.id(i)) % 100 != 0 || Integer.parseInt(common.id(i)) % 800 == 0).isTrue();
        }

        assertThat(FilterPlan.choose(100_000, 1_000_000, 64, 32)).isEqualTo(FilterPlan.TWO_HOP);
        assertThat(FilterPlan.choose(900_000, 1_000_000, 64, 32)).isEqualTo(FilterPlan.TRAVERSE);
        assertThat(FilterPlan.choose(5_000, 1_000_000, 64, 32)).isEqualTo(FilterPlan.EXACT);
    }

    private static String[] ids(SearchResult r) {
        String[] ids = new String[r.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = r.id(i);
        }
        return ids;
    }

    private static String[] ids(int[] rows) {
        return Arrays.stream(rows).mapToObj(Integer::toString).toArray(String[]::new);
    }

    private List<Cond> conds(int count) {
        List<Cond> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(randomCond());
        }
        return out;
    }

    private static String array(List<Cond> conds) {
        return "[" + String.join(",", conds.stream().map(Cond::json).toList()) + "]";
    }

    private static boolean all(List<Cond> conds, Row row) {
        return conds.stream().allMatch(c -> c.test.test(row));
    }

    private static boolean any(List<Cond> conds, Row row) {
        return conds.stream().anyMatch(c -> c.test.test(row));
    }
}
