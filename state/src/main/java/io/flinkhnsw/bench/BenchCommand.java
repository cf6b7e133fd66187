package io.flinkhnsw.bench;

import io.flinkhnsw.bench.plot.RecallQpsPlot;
import io.flinkhnsw.cli.Cli;
import io.flinkhnsw.data.ExactKnn;
import io.flinkhnsw.data.Fvecs;
import io.flinkhnsw.hnsw.HnswConfig;
import io.flinkhnsw.hnsw.Quantization;
import io.flinkhnsw.hnsw.HnswIndex;
import io.flinkhnsw.hnsw.SearchResult;
import io.flinkhnsw.vector.Kernels;
import io.flinkhnsw.vector.Metric;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * The {@code bench} command: builds an in-memory index from an fvecs base set (single-threaded,
 * timed), then for each ef runs warm-up passes and timed passes of one-at-a-time queries, keeping
 * the best pass, and prints one JSON line per ef with recall@k against the groundtruth. With
 * {@code --churn-rounds} it then deletes and re-inserts a random fraction of the base per round and
 * prints the lines again with the number of unreachable live nodes, the churn rate and the slowest
 * single delete or upsert call (repair it triggered included); the fresh lines are then timed after
 * the churn, on an identical second build, pass by pass in turn with the churned graph, so the two
 * query speeds are compared in the same minutes. Flags and output fields match
 * the hnswlib driver in {@code shared/peers/hnswlib}, so both can be compared in one run; both are a
 * contract. {@code --plot} also draws the lines as a recall/QPS chart ({@link RecallQpsPlot}).
 */
@Command(name = "bench", description = "HNSW core benchmark: recall and speed without Flink", sortOptions = false,
        mixinStandardHelpOptions = true, showDefaultValues = true)
public final class BenchCommand implements Callable<Integer> {
    @Option(names = "--base", required = true, paramLabel = "B.fvecs", description = "base vectors")
    Path base;
    @Option(names = "--queries", required = true, paramLabel = "Q.fvecs", description = "query vectors")
    Path queries;
    @Option(names = "--groundtruth", required = true, paramLabel = "G.ivecs",
            description = "exact neighbours of each query, 0-based base rows")
    Path groundtruth;
    @Option(names = "--metric", defaultValue = "l2", paramLabel = "l2|ip|cosine", description = "distance")
    Metric metric;
    @Option(paramLabel = "N", names = "--k", defaultValue = "10", description = "neighbours per query; recall is recall@k")
    int k;
    @Option(paramLabel = "N", names = "--m", defaultValue = "16", description = "links per node (2M on layer 0)")
    int m;
    @Option(paramLabel = "N", names = "--ef-construction", defaultValue = "200", description = "build beam width")
    int efConstruction;
    @Option(names = "--ef", defaultValue = "10,20,40,80,160,320", split = ",", paramLabel = "EF",
            description = "query beam widths, one result line each")
    int[] efs;
    @Option(names = "--quantization", defaultValue = "none", paramLabel = "none|int8",
            description = "how the graph stores the vectors it walks: floats, or int8 codes re-ranked with floats kept off the heap")
    String quantization;

    @Option(paramLabel = "N", names = "--threads", defaultValue = "1", description = "query threads, each with its own reader")
    int threads;
    @Option(paramLabel = "N", names = "--churn-rounds", defaultValue = "0",
            description = "then delete and re-insert --churn-fraction of the base this many times and measure again")
    int churnRounds;
    @Option(paramLabel = "N", names = "--churn-fraction", defaultValue = "0.1", description = "share of the base per churn round")
    double churnFraction;
    @Option(paramLabel = "N", names = "--seed", defaultValue = "42", description = "level-draw and churn seed")
    long seed;
    @Option(paramLabel = "N", names = "--warmup", defaultValue = "1", description = "untimed query passes per ef, at least")
    int warmup;
    @Option(paramLabel = "N", names = "--warmup-s", defaultValue = "1.0", description = "untimed query seconds per ef, at least")
    double warmupSeconds;
    @Option(paramLabel = "N", names = "--repeats", defaultValue = "2", description = "timed query passes per ef, at least (best kept)")
    int repeats;
    @Option(paramLabel = "N", names = "--min-time-s", defaultValue = "1.0", description = "timed query seconds per ef, at least")
    double minSeconds;
    @Option(paramLabel = "N", names = "--max-queries", defaultValue = "0", description = "use only the first N queries, 0 = all")
    int maxQueries;
    @Option(names = "--dataset", paramLabel = "NAME", description = "name in the output (default: the base file's folder)")
    String dataset;
    @Option(paramLabel = "N", names = "--jit-warmup", defaultValue = "5000",
            description = "vectors of an untimed synthetic index built first so the timed build runs compiled code, 0 = none")
    int jitWarmup;
    @Option(names = "--plot", paramLabel = "FILE.svg", description = "also draw recall@k against QPS into this SVG file")
    Path plot;
    @Option(names = "--filter-selectivity", split = ",", paramLabel = "S",
            description = "then, per share S of the base, a synthetic payload field matching S of the rows: recall against"
                    + " the exact filtered top k of the filtered search, an exact scan and a post-filtered search")
    double[] filterSelectivities;
    @Option(names = "--filter-labels", defaultValue = "random", paramLabel = "random|clustered",
            description = "which rows match: drawn at random, or the rows nearest to one random base row")
    String filterLabels;

    @Spec
    CommandSpec spec;

    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    private PrintWriter out;
    private PrintWriter progress;

    @Override
    public Integer call() throws Exception {
        out = spec.commandLine().getOut();
        progress = spec.commandLine().getErr();
        run();
        return Cli.OK;
    }

    private void run() throws Exception {
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be at least 1");
        }
        if (!(churnFraction > 0 && churnFraction <= 1)) {
            throw new IllegalArgumentException("--churn-fraction must be in (0, 1]");
        }
        HnswConfig config = HnswConfig.defaults(metric).withM(m).withEfConstruction(efConstruction).withSeed(seed)
                .withQuantization(Quantization.parse(quantization));

        float[][] base = Fvecs.readFloats(this.base);
        float[][] queries = Fvecs.readFloats(this.queries);
        int[][] truth = Fvecs.readInts(groundtruth);
        if (maxQueries > 0 && maxQueries < queries.length) {
            queries = java.util.Arrays.copyOf(queries, maxQueries);
        }
        checkInputs(base, queries, truth, k);
        progress.printf("[flink-hnsw] n=%d dim=%d nq=%d metric=%s kernels=%s building...%n", base.length,
                base[0].length, queries.length, metric.cliName(), Kernels.best().name());

        CoreBuild build = CoreBuild.run(config, base, jitWarmup, line -> progress.println("[flink-hnsw] " + line));
        HnswIndex index = build.index;
        double heapMb = usedHeapMb();
        // churn is judged by the query speed of the churned graph against the fresh one's, so a copy is
        // kept fresh and both are timed in the same minutes, pass by pass (no drift of the machine between)
        HnswIndex fresh = churnRounds > 0 ? freshCopy(config, base, index, queries) : null;

        Run run = new Run(base, queries, truth, build, heapMb);
        List<String> lines = new ArrayList<>();
        if (fresh == null) {
            for (int ef : efs) {
                print(lines, run.measure(ef, index)[0]);
            }
        }
        // filter lines follow the fresh lines, which a churn run prints after its churn
        List<String> unplotted = new ArrayList<>();
        List<JsonLine> filterLines = new ArrayList<>();
        Consumer<JsonLine> filterLine = fresh == null ? line -> print(unplotted, line) : filterLines::add;
        if (filterSelectivities != null) {
            FilterBench.Labels labels = FilterBench.Labels.valueOf(filterLabels.toUpperCase(Locale.ROOT));
            for (double selectivity : filterSelectivities) {
                if (!(selectivity > 0 && selectivity <= 1)) {
                    throw new IllegalArgumentException("--filter-selectivity must be in (0, 1], got " + selectivity);
                }
                FilterBench bench = new FilterBench(index, base, queries, metric, k, selectivity, labels, seed);
                filterLine.accept(run.filterLine(index, 0, bench.exact(run::bestPassSeconds), selectivity, bench));
                for (int ef : efs) {
                    filterLine.accept(run.filterLine(index, ef, bench.filtered(Math.max(ef, k), run::bestPassSeconds),
                            selectivity, bench));
                    filterLine.accept(run.filterLine(index, ef, bench.postFilter(ef, run::bestPassSeconds), selectivity,
                            bench));
                }
            }
        }
        if (churnRounds > 0) {
            long cpu0 = CPU.getCurrentThreadCpuTime();
            long c0 = System.nanoTime();
            long[] opNanos = churn(index, base, churnRounds, churnFraction, seed);
            double churnSeconds = (System.nanoTime() - c0) / 1e9;
            double churnCpuSeconds = (CPU.getCurrentThreadCpuTime() - cpu0) / 1e9;
            int unreachable = index.unreachableCount();
            Arrays.sort(opNanos);
            double maxOpMs = opNanos[opNanos.length - 1] / 1e6;
            double p999OpMs = opNanos[(int) Math.min(opNanos.length - 1, Math.ceil(opNanos.length * 0.999) - 1)] / 1e6;
            double opsPerSecond = opNanos.length / churnSeconds;
            progress.printf("[flink-hnsw] churn %d rounds in %.2fs (%.0f ops/s, slowest %.2f ms), unreachable=%d,"
                    + " tombstones=%d%n", churnRounds, churnSeconds, opsPerSecond, maxOpMs, unreachable,
                    index.tombstones());
            List<JsonLine> churned = new ArrayList<>();
            for (int ef : efs) {
                JsonLine[] pair = run.measure(ef, fresh, index);
                print(lines, pair[0]);
                churned.add(pair[1].put("churn_rounds", churnRounds)
                        .put("churn_fraction", churnFraction, 3).put("churn_s", churnSeconds, 3)
                        .put("churn_cpu_s", churnCpuSeconds, 3)
                        .put("churn_ops_per_s", opsPerSecond, 1).put("max_op_ms", maxOpMs, 3)
                        .put("p999_op_ms", p999OpMs, 3).put("unreachable", unreachable));
            }
            filterLines.forEach(line -> print(unplotted, line));
            churned.forEach(line -> print(lines, line));
        }
        if (plot != null) {
            RecallQpsPlot.fromJsonLines(List.of(lines)).writeSvg(plot);
            progress.printf("[flink-hnsw] plot written to %s%n", plot);
        }
    }

    /**
     * A second build of the same vectors in the same order, which gives the same graph (a build is
     * deterministic); checked on a few queries, so a difference fails the run instead of skewing it.
     */
    private HnswIndex freshCopy(HnswConfig config, float[][] base, HnswIndex built, float[][] queries) {
        progress.printf("[flink-hnsw] building an identical copy to stay fresh while the other one churns%n");
        HnswIndex copy = CoreBuild.run(config, base, 0, line -> progress.println("[flink-hnsw] copy: " + line)).index;
        int ef = Math.max(k, Arrays.stream(efs).max().orElse(k));
        for (int q = 0; q < Math.min(queries.length, 20); q++) {
            SearchResult a = built.reader().search(queries[q], k, ef);
            SearchResult b = copy.reader().search(queries[q], k, ef);
            boolean same = a.size() == b.size();
            for (int i = 0; same && i < a.size(); i++) {
                same = a.id(i).equals(b.id(i)) && a.distance(i) == b.distance(i);
            }
            if (!same) {
                throw new IllegalStateException("a second build of the same vectors gave another graph (query " + q + ")");
            }
        }
        return copy;
    }

    private void print(List<String> lines, JsonLine line) {
        String text = line.toString();
        lines.add(text);
        out.println(text);
        out.flush();
    }

    /**
     * Deletes and re-inserts a random {@code fraction} of the base per round; returns the duration of
     * every delete and upsert call (repair work it triggered included), in nanoseconds.
     */
    private long[] churn(HnswIndex index, float[][] base, int rounds, double fraction, long seed) {
        SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
        int n = base.length;
        int perRound = Math.max(1, (int) Math.round(n * fraction));
        int[] order = new int[n];
        long[] opNanos = new long[2 * perRound * rounds];
        int ops = 0;
        for (int r = 1; r <= rounds; r++) {
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            for (int i = 0; i < perRound; i++) {
                int j = i + random.nextInt(n - i);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            long cpu0 = CPU.getCurrentThreadCpuTime();
            for (int i = 0; i < perRound; i++) {
                String id = Integer.toString(order[i]);
                long t = System.nanoTime();
                index.delete(id);
                opNanos[ops++] = System.nanoTime() - t;
            }
            long cpu1 = CPU.getCurrentThreadCpuTime();
            for (int i = 0; i < perRound; i++) {
                String id = Integer.toString(order[i]);
                long t = System.nanoTime();
                index.upsert(id, base[order[i]]);
                opNanos[ops++] = System.nanoTime() - t;
            }
            long cpu2 = CPU.getCurrentThreadCpuTime();
            progress.printf("[flink-hnsw] churn round %d/%d: %d deleted and re-inserted (CPU %.1f us per delete,"
                    + " %.1f us per upsert), %d tombstones pending%n", r, rounds, perRound,
                    (cpu1 - cpu0) / 1e3 / perRound, (cpu2 - cpu1) / 1e3 / perRound, index.tombstones());
        }
        return opNanos;
    }

    private static void checkInputs(float[][] base, float[][] queries, int[][] truth, int k) {
        if (base.length == 0 || queries.length == 0) {
            throw new IllegalArgumentException("base and queries must not be empty");
        }
        if (queries[0].length != base[0].length) {
            throw new IllegalArgumentException("query dimension " + queries[0].length + " != base dimension "
                    + base[0].length);
        }
        if (truth.length < queries.length || truth[0].length < k) {
            throw new IllegalArgumentException("groundtruth has " + truth.length + " rows of " + truth[0].length
                    + "; need " + queries.length + " rows of at least k=" + k);
        }
    }

    private static double usedHeapMb() {
        Runtime rt = Runtime.getRuntime();
        System.gc();
        return (rt.totalMemory() - rt.freeMemory()) / 1048576.0;
    }

    /** The loaded data of one benchmark run and the timed query passes for one ef. */
    private final class Run {
        private final float[][] base;
        private final float[][] queries;
        private final int[][] truth;
        private final CoreBuild build;
        private final double heapMb;

        Run(float[][] base, float[][] queries, int[][] truth, CoreBuild build, double heapMb) {
            this.base = base;
            this.queries = queries;
            this.truth = truth;
            this.build = build;
            this.heapMb = heapMb;
        }

        /** The timing of the last {@link #bestPassSeconds} call, for {@link #filterLine}. */
        private Timing last;

        /**
         * Runs warm-up passes, then timed ones; the best timed pass's seconds. Also keeps the least
         * thread CPU time of a pass: on a shared machine wall time moves with the other work, CPU time
         * much less, so ratios between lines are steadier by it.
         */
        double bestPassSeconds(Runnable pass) {
            last = timeAlternating(new Runnable[] {pass})[0];
            return last.seconds;
        }

        /**
         * Warm-up passes, then timed ones, of each pass in turn (so each sees the machine as the others
         * do), until every pass ran at least {@code --repeats} times and {@code --min-time-s} went by
         * per pass; the best of each.
         */
        private Timing[] timeAlternating(Runnable[] passes) {
            long start = System.nanoTime();
            for (int w = 0; w < warmup || seconds(start) < warmupSeconds * passes.length; w++) {
                for (Runnable pass : passes) {
                    pass.run();
                }
            }
            Timing[] timings = new Timing[passes.length];
            for (int i = 0; i < passes.length; i++) {
                timings[i] = new Timing();
            }
            start = System.nanoTime();
            for (int r = 0; r < Math.max(1, repeats) || seconds(start) < minSeconds * passes.length; r++) {
                for (int i = 0; i < passes.length; i++) {
                    long p0 = System.nanoTime();
                    long c0 = CPU.getCurrentThreadCpuTime();
                    passes[i].run();
                    timings[i].add(seconds(p0), (CPU.getCurrentThreadCpuTime() - c0) / 1e9);
                }
            }
            return timings;
        }

        /** A result line of a filtered way of answering (ef 0 for the exact scan), with the filter's fields added. */
        JsonLine filterLine(HnswIndex index, int ef, FilterBench.Result r, double selectivity, FilterBench bench) {
            return line(index, ef, r.recall(), r.qps(), last).put("filter_selectivity", selectivity, 6)
                    .put("filter_labels", filterLabels).put("filter_matches", bench.matches())
                    .put("filter_strategy", r.strategy()).put("filter_plans", r.plans());
        }

        /** The line of each index at {@code ef}, their query passes timed in turn. */
        JsonLine[] measure(int ef, HnswIndex... indexes) throws Exception {
            int efUsed = Math.max(ef, k);
            int[][][] found = new int[indexes.length][queries.length][];
            Runnable[] passes = new Runnable[indexes.length];
            ExecutorService pool = threads > 1 ? Executors.newFixedThreadPool(threads) : null;
            try {
                for (int i = 0; i < indexes.length; i++) {
                    HnswIndex index = indexes[i];
                    int[][] into = found[i];
                    passes[i] = () -> {
                        try {
                            pass(index, efUsed, into, pool);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    };
                }
                Timing[] timings = timeAlternating(passes);
                JsonLine[] lines = new JsonLine[indexes.length];
                for (int i = 0; i < indexes.length; i++) {
                    lines[i] = line(indexes[i], ef, ExactKnn.recall(found[i], truth, k),
                            queries.length / timings[i].seconds, timings[i]);
                }
                return lines;
            } finally {
                if (pool != null) {
                    pool.shutdownNow();
                }
            }
        }

        private JsonLine line(HnswIndex index, int ef, double recall, double qps, Timing timing) {
            return new JsonLine().put("peer", "flink-hnsw")
                    .put("runtime", "java " + Runtime.version().feature() + " " + Kernels.best().name())
                    .put("dataset", dataset == null || dataset.isEmpty() ? datasetName() : dataset)
                    .put("metric", metric.cliName()).put("n", base.length).put("dim", base[0].length)
                    .put("nq", queries.length).put("k", k).put("m", index.config().m())
                    .put("ef_construction", index.config().efConstruction()).put("threads", threads)
                    .put("build_s", build.seconds, 3).put("inserts_per_s", build.insertsPerSecond(), 1)
                    .put("build_cpu_s", build.cpuSeconds, 3)
                    .put("ef", ef).put("recall_at_k", recall, 5).put("qps", qps, 1)
                    .put("timed_passes", timing.passes).put("jit_warmup_vectors", jitWarmup).put("heap_or_rss_mb", heapMb, 1).put("memory_kind", "heap")
                    .put("live", index.size()).put("tombstones", index.tombstones())
                    .put("quantization", index.config().quantization().cliName())
                    .put("index_memory_bytes", index.ramBytesUsed()).put("off_heap_bytes", index.offHeapBytesUsed())
                    .put("qps_cpu", threads == 1 && timing.cpuSeconds > 0 ? queries.length / timing.cpuSeconds : 0, 1);
        }

        private void pass(HnswIndex index, int ef, int[][] found, ExecutorService pool) throws Exception {
            if (pool == null) {
                searchRange(index.reader(), ef, found, 0, queries.length);
                return;
            }
            Future<?>[] parts = new Future<?>[threads];
            int per = (queries.length + threads - 1) / threads;
            for (int t = 0; t < threads; t++) {
                int from = Math.min(queries.length, t * per);
                int to = Math.min(queries.length, from + per);
                HnswIndex.Reader reader = index.reader();
                parts[t] = pool.submit(() -> searchRange(reader, ef, found, from, to));
            }
            for (Future<?> f : parts) {
                f.get();
            }
        }

        private void searchRange(HnswIndex.Reader reader, int ef, int[][] found, int from, int to) {
            for (int q = from; q < to; q++) {
                SearchResult result = reader.search(queries[q], k, ef);
                int[] rows = new int[result.size()];
                for (int i = 0; i < rows.length; i++) {
                    rows[i] = Integer.parseInt(result.id(i));
                }
                found[q] = rows;
            }
        }

        private String datasetName() {
            Path parent = BenchCommand.this.base.toAbsolutePath().getParent();
            return parent == null ? "" : parent.getFileName().toString();
        }
    }

    /** The best wall and thread CPU time over the timed passes of one pass, and how many ran. */
    private static final class Timing {
        double seconds = Double.MAX_VALUE;
        double cpuSeconds = Double.MAX_VALUE;
        int passes;

        void add(double passSeconds, double passCpuSeconds) {
            seconds = Math.min(seconds, passSeconds);
            cpuSeconds = Math.min(cpuSeconds, passCpuSeconds);
            passes++;
        }
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
