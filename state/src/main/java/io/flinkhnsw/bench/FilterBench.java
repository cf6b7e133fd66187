package io.flinkhnsw.bench;

import io.flinkhnsw.data.ExactKnn;
import io.flinkhnsw.filter.CompiledFilter;
import io.flinkhnsw.filter.FieldIndex;
import io.flinkhnsw.filter.Filter;
import io.flinkhnsw.filter.FilterFields;
import io.flinkhnsw.hnsw.FilterPlan;
import io.flinkhnsw.hnsw.HnswIndex;
import io.flinkhnsw.hnsw.SearchResult;
import io.flinkhnsw.vector.Metric;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The filtered part of {@code bench}: gives the base a synthetic keyword field {@code tag} that is
 * {@code "in"} on a share S of the rows and {@code "out"} elsewhere, indexes it in a
 * {@link FieldIndex} as a key would, and measures, per ef, three ways to answer a query with the
 * filter {@code must tag = in} against the exact filtered top k (brute force): the filtered search
 * (planned per query, compile of the filter included), an exact scan of the matches, and an
 * unfiltered search of ef results post-filtered. Labels are {@code random} (rows drawn uniformly) or
 * {@code clustered} (the S n rows nearest to one random base row, so matches correlate with the
 * vectors and lie far from most queries: the hard case for graph traversal).
 */
final class FilterBench {
    /** How rows get the matching label. */
    enum Labels { RANDOM, CLUSTERED }

    /** One measured way of answering: its recall, the best pass's queries per second, the plans used. */
    record Result(String strategy, double recall, double qps, String plans) {
    }

    /** Times a pass over the queries as {@code bench} times any pass: warm-up, then the best of the timed ones. */
    interface Timer {
        double bestPassSeconds(Runnable pass);
    }

    private static final FilterFields FIELDS = FilterFields.parse("tag:keyword");
    private static final Filter FILTER = Filter.parse("{\"must\":[{\"field\":\"tag\",\"match\":\"in\"}]}", FIELDS);

    private final HnswIndex index;
    private final float[][] queries;
    private final int k;
    private final FieldIndex fields = new FieldIndex(FIELDS);
    private final boolean[] in;
    private final int[][] truth;
    private final int matches;

    FilterBench(HnswIndex index, float[][] base, float[][] queries, Metric metric, int k, double selectivity,
                Labels labels, long seed) {
        this.index = index;
        this.queries = queries;
        this.k = k;
        this.in = labels == Labels.RANDOM ? randomRows(base.length, selectivity, seed)
                : nearestRows(base, metric, selectivity, seed);
        int n = 0;
        for (int row = 0; row < base.length; row++) {
            fields.put(Integer.toString(row), in[row] ? "{\"tag\":\"in\"}" : "{\"tag\":\"out\"}");
            n += in[row] ? 1 : 0;
        }
        this.matches = n;
        this.truth = new int[queries.length][];
        for (int q = 0; q < queries.length; q++) {
            truth[q] = ExactKnn.nearest(base, queries[q], k, metric, row -> !in[row]);
        }
    }

    int matches() {
        return matches;
    }

    /** The filtered search at {@code ef}, planned per query. */
    Result filtered(int ef, Timer timer) {
        int[][] found = new int[queries.length][];
        HnswIndex.Reader reader = index.reader();
        Map<FilterPlan, Integer> plans = new EnumMap<>(FilterPlan.class);
        double seconds = timer.bestPassSeconds(() -> {
            plans.clear();
            for (int q = 0; q < queries.length; q++) {
                found[q] = rows(reader.search(queries[q], k, ef, fields.compile(FILTER)));
                plans.merge(reader.lastPlan(), 1, Integer::sum);
            }
        });
        StringBuilder p = new StringBuilder();
        plans.forEach((plan, count) -> p.append(p.length() == 0 ? "" : " ").append(plan.name().toLowerCase(Locale.ROOT))
                .append(':').append(count));
        return new Result("filtered", recall(found), queries.length / seconds, p.toString());
    }

    /** The exact scan of the matches, whatever the planner would choose. */
    Result exact(Timer timer) {
        int[][] found = new int[queries.length][];
        HnswIndex.Reader reader = index.reader();
        double seconds = timer.bestPassSeconds(() -> {
            for (int q = 0; q < queries.length; q++) {
                found[q] = rows(reader.searchExactly(queries[q], k, fields.compile(FILTER)));
            }
        });
        return new Result("exact_scan", recall(found), queries.length / seconds, "");
    }

    /** An unfiltered search for ef results at ef, the first k that match kept. */
    Result postFilter(int ef, Timer timer) {
        int[][] found = new int[queries.length][];
        HnswIndex.Reader reader = index.reader();
        double seconds = timer.bestPassSeconds(() -> {
            for (int q = 0; q < queries.length; q++) {
                int[] all = rows(reader.search(queries[q], Math.max(ef, k), Math.max(ef, k)));
                found[q] = Arrays.stream(all).filter(row -> in[row]).limit(k).toArray();
            }
        });
        return new Result("post_filter", recall(found), queries.length / seconds, "");
    }

    private double recall(int[][] found) {
        // recall against the filtered top k: a query with fewer than k matches counts what exists
        double total = 0;
        for (int q = 0; q < found.length; q++) {
            int hits = 0;
            for (int row : found[q]) {
                for (int t : truth[q]) {
                    if (t == row) {
                        hits++;
                        break;
                    }
                }
            }
            total += truth[q].length == 0 ? 1 : (double) hits / truth[q].length;
        }
        return total / found.length;
    }

    private static int[] rows(SearchResult result) {
        int[] rows = new int[result.size()];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = Integer.parseInt(result.id(i));
        }
        return rows;
    }

    /** round(S n) rows, at least one, drawn uniformly. */
    private static boolean[] randomRows(int n, double selectivity, long seed) {
        int[] order = shuffled(n, new SplittableRandom(seed));
        boolean[] in = new boolean[n];
        for (int i = 0; i < count(n, selectivity); i++) {
            in[order[i]] = true;
        }
        return in;
    }

    /** The round(S n) rows nearest to one random base row: one region of the space. */
    private static boolean[] nearestRows(float[][] base, Metric metric, double selectivity, long seed) {
        float[] anchor = base[new SplittableRandom(seed).nextInt(base.length)];
        int[] nearest = ExactKnn.nearest(base, anchor, count(base.length, selectivity), metric, row -> false);
        boolean[] in = new boolean[base.length];
        for (int row : nearest) {
            in[row] = true;
        }
        return in;
    }

    private static int count(int n, double selectivity) {
        return (int) Math.max(1, Math.round(n * selectivity));
    }

    private static int[] shuffled(int n, SplittableRandom random) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
