package io.flinkhnsw.bench;

import io.flinkhnsw.data.ClusteredDataset;
import io.flinkhnsw.data.ExactKnn;
import io.flinkhnsw.data.Fvecs;
import io.flinkhnsw.hnsw.GraphStore;
import io.flinkhnsw.hnsw.HnswConfig;
import io.flinkhnsw.hnsw.HnswIndex;
import io.flinkhnsw.hnsw.SearchResult;
import io.flinkhnsw.vector.Kernels;
import io.flinkhnsw.vector.Metric;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The {@code bench} command: builds an in-memory index from an fvecs base set (single-threaded,
 * timed), then for each ef runs warm-up passes and timed passes of one-at-a-time queries, keeping
 * the best pass, and prints one JSON line per ef with recall@k against the groundtruth. With
 * {@code --churn-rounds} it then deletes and re-inserts a random fraction of the base per round and
 * prints the lines again with the number of unreachable live nodes, the churn rate and the slowest
 * single delete or upsert call (repair it triggered included). Flags and output fields match
 * the hnswlib driver in {@code shared/peers/hnswlib}, so both can be compared in one run.
 */
public final class BenchCommand {
    private static final Map<String, String> DEFAULTS = new TreeMap<>();

    static {
        DEFAULTS.put("base", null);
        DEFAULTS.put("queries", null);
        DEFAULTS.put("groundtruth", null);
        DEFAULTS.put("metric", "l2");
        DEFAULTS.put("k", "10");
        DEFAULTS.put("m", "16");
        DEFAULTS.put("ef-construction", "200");
        DEFAULTS.put("ef", "10,20,40,80,160,320");
        DEFAULTS.put("threads", "1");
        DEFAULTS.put("churn-rounds", "0");
        DEFAULTS.put("churn-fraction", "0.1");
        DEFAULTS.put("seed", "42");
        DEFAULTS.put("warmup", "1");
        DEFAULTS.put("repeats", "2");
        DEFAULTS.put("warmup-s", "1.0");
        DEFAULTS.put("min-time-s", "1.0");
        DEFAULTS.put("max-queries", "0");
        DEFAULTS.put("dataset", "");
        DEFAULTS.put("jit-warmup", "5000");
    }

    private final Flags flags;
    private final PrintStream out;
    private final PrintStream progress;

    BenchCommand(Flags flags, PrintStream out, PrintStream progress) {
        this.flags = flags;
        this.out = out;
        this.progress = progress;
    }

    public static void main(String[] args) throws Exception {
        Flags flags;
        try {
            flags = Flags.parse(args, DEFAULTS, Set.of());
            flags.string("base");
            flags.string("queries");
            flags.string("groundtruth");
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.err.println("usage: bench --base B.fvecs --queries Q.fvecs --groundtruth G.ivecs [--metric l2|ip|cosine]"
                    + " [--k 10] [--m 16] [--ef-construction 200] [--ef 10,20,40,80,160,320] [--threads 1]"
                    + " [--churn-rounds R --churn-fraction 0.1] [--seed 42]");
            System.exit(2);
            return;
        }
        new BenchCommand(flags, System.out, System.err).run();
    }

    void run() throws Exception {
        Metric metric = Metric.parse(flags.string("metric"));
        int k = flags.integer("k");
        int threads = flags.integer("threads");
        int[] efs = flags.integers("ef");
        int churnRounds = flags.integer("churn-rounds");
        double churnFraction = flags.decimal("churn-fraction");
        long seed = flags.longValue("seed");
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be at least 1");
        }
        if (!(churnFraction > 0 && churnFraction <= 1)) {
            throw new IllegalArgumentException("--churn-fraction must be in (0, 1]");
        }
        HnswConfig config = HnswConfig.defaults(metric).withM(flags.integer("m"))
                .withEfConstruction(flags.integer("ef-construction")).withSeed(seed);

        float[][] base = Fvecs.readFloats(Path.of(flags.string("base")));
        float[][] queries = Fvecs.readFloats(Path.of(flags.string("queries")));
        int[][] truth = Fvecs.readInts(Path.of(flags.string("groundtruth")));
        int maxQueries = flags.integer("max-queries");
        if (maxQueries > 0 && maxQueries < queries.length) {
            queries = Arrays.copyOf(queries, maxQueries);
        }
        checkInputs(base, queries, truth, k);
        progress.printf("[flink-hnsw] n=%d dim=%d nq=%d metric=%s kernels=%s building...%n", base.length,
                base[0].length, queries.length, metric.cliName(), Kernels.best().name());

        int warmupVectors = flags.integer("jit-warmup");
        if (warmupVectors > 0) {
            warmUpJit(config, base[0].length, warmupVectors);
        }
        HnswIndex index = HnswIndex.create(config, GraphStore.NONE);
        long t0 = System.nanoTime();
        int step = Math.max(1, base.length / 10);
        for (int i = 0; i < base.length; i++) {
            index.upsert(Integer.toString(i), base[i]);
            if ((i + 1) % step == 0 && i + 1 < base.length) {
                progress.printf("[flink-hnsw] built %d/%d%n", i + 1, base.length);
            }
        }
        double buildSeconds = (System.nanoTime() - t0) / 1e9;
        progress.printf("[flink-hnsw] build %.2fs (%.0f inserts/s)%n", buildSeconds, base.length / buildSeconds);
        double heapMb = usedHeapMb();

        Run run = new Run(metric, base, queries, truth, k, threads, buildSeconds, heapMb);
        for (int ef : efs) {
            out.println(run.measure(index, ef).toString());
            out.flush();
        }
        if (churnRounds > 0) {
            long c0 = System.nanoTime();
            long[] opNanos = churn(index, base, churnRounds, churnFraction, seed);
            double churnSeconds = (System.nanoTime() - c0) / 1e9;
            int unreachable = index.unreachableCount();
            Arrays.sort(opNanos);
            double maxOpMs = opNanos[opNanos.length - 1] / 1e6;
            double p999OpMs = opNanos[(int) Math.min(opNanos.length - 1, Math.ceil(opNanos.length * 0.999) - 1)] / 1e6;
            double opsPerSecond = opNanos.length / churnSeconds;
            progress.printf("[flink-hnsw] churn %d rounds in %.2fs (%.0f ops/s, slowest %.2f ms), unreachable=%d,"
                    + " tombstones=%d%n", churnRounds, churnSeconds, opsPerSecond, maxOpMs, unreachable,
                    index.tombstones());
            for (int ef : efs) {
                out.println(run.measure(index, ef).put("churn_rounds", churnRounds)
                        .put("churn_fraction", churnFraction, 3).put("churn_s", churnSeconds, 3)
                        .put("churn_ops_per_s", opsPerSecond, 1).put("max_op_ms", maxOpMs, 3)
                        .put("p999_op_ms", p999OpMs, 3).put("unreachable", unreachable).toString());
                out.flush();
            }
        }
    }

    /**
     * Builds and searches a throwaway index of synthetic vectors with the same dimension and
     * parameters, so the timed build measures compiled code as hnswlib's (compiled ahead of time)
     * does, not the JIT compiling it. The index is discarded; the timed build starts from nothing.
     */
    private void warmUpJit(HnswConfig config, int dim, int count) {
        long w0 = System.nanoTime();
        ClusteredDataset synthetic = new ClusteredDataset(dim, 32, 0.3f, config.seed() + 1);
        HnswIndex scratch = HnswIndex.create(config, GraphStore.NONE);
        float[][] vectors = synthetic.next(count);
        for (int i = 0; i < vectors.length; i++) {
            scratch.upsert("w" + i, vectors[i]);
        }
        for (int i = 0; i < vectors.length; i += 2) {
            scratch.delete("w" + i);
        }
        progress.printf("[flink-hnsw] JIT warm-up on %d synthetic vectors took %.2fs (not timed)%n", count,
                (System.nanoTime() - w0) / 1e9);
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
            for (int i = 0; i < perRound; i++) {
                String id = Integer.toString(order[i]);
                long t = System.nanoTime();
                index.delete(id);
                opNanos[ops++] = System.nanoTime() - t;
            }
            for (int i = 0; i < perRound; i++) {
                String id = Integer.toString(order[i]);
                long t = System.nanoTime();
                index.upsert(id, base[order[i]]);
                opNanos[ops++] = System.nanoTime() - t;
            }
            progress.printf("[flink-hnsw] churn round %d/%d: %d deleted and re-inserted, %d tombstones pending%n", r,
                    rounds, perRound, index.tombstones());
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

    /** The fixed context of one benchmark run and the timed query passes for one ef. */
    private final class Run {
        private final Metric metric;
        private final float[][] base;
        private final float[][] queries;
        private final int[][] truth;
        private final int k;
        private final int threads;
        private final double buildSeconds;
        private final double heapMb;

        Run(Metric metric, float[][] base, float[][] queries, int[][] truth, int k, int threads, double buildSeconds,
                double heapMb) {
            this.metric = metric;
            this.base = base;
            this.queries = queries;
            this.truth = truth;
            this.k = k;
            this.threads = threads;
            this.buildSeconds = buildSeconds;
            this.heapMb = heapMb;
        }

        JsonLine measure(HnswIndex index, int ef) throws Exception {
            int efUsed = Math.max(ef, k);
            int[][] found = new int[queries.length][];
            double warmupSeconds = flags.decimal("warmup-s");
            double minSeconds = flags.decimal("min-time-s");
            int warmup = flags.integer("warmup");
            int repeats = Math.max(1, flags.integer("repeats"));
            ExecutorService pool = threads > 1 ? Executors.newFixedThreadPool(threads) : null;
            try {
                long start = System.nanoTime();
                for (int w = 0; w < warmup || seconds(start) < warmupSeconds; w++) {
                    pass(index, efUsed, found, pool);
                }
                double best = Double.MAX_VALUE;
                int passes = 0;
                start = System.nanoTime();
                for (int r = 0; r < repeats || seconds(start) < minSeconds; r++) {
                    long p0 = System.nanoTime();
                    pass(index, efUsed, found, pool);
                    best = Math.min(best, seconds(p0));
                    passes++;
                }
                return new JsonLine().put("peer", "flink-hnsw")
                        .put("runtime", "java " + Runtime.version().feature() + " " + Kernels.best().name())
                        .put("dataset", flags.string("dataset").isEmpty() ? datasetName() : flags.string("dataset"))
                        .put("metric", metric.cliName()).put("n", base.length).put("dim", base[0].length)
                        .put("nq", queries.length).put("k", k).put("m", index.config().m())
                        .put("ef_construction", index.config().efConstruction()).put("threads", threads)
                        .put("build_s", buildSeconds, 3).put("inserts_per_s", base.length / buildSeconds, 1)
                        .put("ef", ef).put("recall_at_k", ExactKnn.recall(found, truth, k), 5).put("qps", queries.length / best, 1)
                        .put("timed_passes", passes).put("jit_warmup_vectors", flags.integer("jit-warmup")).put("heap_or_rss_mb", heapMb, 1).put("memory_kind", "heap")
                        .put("live", index.size()).put("tombstones", index.tombstones());
            } finally {
                if (pool != null) {
                    pool.shutdownNow();
                }
            }
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
            Path parent = Path.of(flags.string("base")).toAbsolutePath().getParent();
            return parent == null ? "" : parent.getFileName().toString();
        }
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
