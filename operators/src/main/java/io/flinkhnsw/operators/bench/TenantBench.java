package io.flinkhnsw.operators.bench;

import io.flinkhnsw.bench.JsonLine;
import io.flinkhnsw.data.ExactKnn;
import io.flinkhnsw.operators.IndexEvent;
import io.flinkhnsw.operators.IndexSettings;
import io.flinkhnsw.operators.QueryResult;
import io.flinkhnsw.operators.SubscriptionUpdate;
import io.flinkhnsw.vector.Metric;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Many keys of different sizes through the real index operator ({@code HnswIndexOperator}, wired as
 * the job wires it, {@code ShardedIndex}) on a MiniCluster with the job's state backend and
 * checkpoints, at {@code --parallelism} (1) with every key split into {@code --shards} (1): a load phase (every
 * key's upserts with its queries among them, all keys interleaved; see {@link TenantWorkload}),
 * then a query-only phase that sends the same queries again and new ones after them (at least
 * {@value #MIN_QUERY_PHASE} queries, every one a new vector), on the complete keys, as fast as the
 * job takes them, timed after as many untimed queries of other vectors have warmed the query paths
 * up. Prints one JSON line; progress goes to stderr. Recall is checked exactly, by brute force over
 * the vectors each query should have seen, on a sample of queries from every size class (keys
 * grouped by the decade of their size) in both phases; the line's {@code recall_at_k} is the lowest
 * class's, the classes are listed on stderr.
 */
@Command(name = "tenant-bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Many keys (tenants) of different sizes through the index operator on a MiniCluster.")
public final class TenantBench implements Callable<Integer> {
    private static final Duration CHECKPOINT_INTERVAL = Duration.ofSeconds(5);
    private static final int BATCH = 512;
    /** The fewest queries the query phase sends: a phase of a few hundred milliseconds would time the pipeline's start. */
    private static final int MIN_QUERY_PHASE = 20_000;
    private static final int MAX_QUEUED_BATCHES = 16;
    private static final int RECALL_SAMPLE_PER_CLASS = 200;
    private static final String LOAD_DONE = "load-done";
    private static final String WARMED_UP = "warmed-up";
    private static final String QUERIES_DONE = "queries-done";
    private static final String SUBSCRIBED = "subscribed";

    @Option(names = "--keys", required = true, description = "number of keys (tenants)")
    int keys;

    @Option(names = "--vectors", required = true, description = "vectors over all keys")
    int vectors;

    @Option(names = "--dim", required = true, description = "vector dimension")
    int dim;

    @Option(names = "--sizes", defaultValue = "uniform", converter = KeySizes.Converter.class,
            description = "key sizes: uniform or zipf:S (default: ${DEFAULT-VALUE})")
    KeySizes sizes;

    @Option(names = "--index-memory", converter = MemorySizeConverter.class,
            description = "the operator's index memory budget, e.g. 256m, 1g (default: the operator's default)")
    MemorySize indexMemory;

    @Option(names = "--queries", description = "queries (default: 1 %% of the vectors, at least 1000)")
    Integer queries;

    @Option(names = "--ef", defaultValue = "128", description = "search beam width (default: ${DEFAULT-VALUE})")
    int ef;

    @Option(names = "--subscriptions", defaultValue = "0",
            description = "standing queries (k 10, at --ef) spread over the keys, made before the load phase"
                    + " (default: ${DEFAULT-VALUE})")
    int subscriptions;

    @Option(names = "--seed", defaultValue = "42", description = "data and interleaving seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--shards", defaultValue = "1", description = "shards of every key (default: ${DEFAULT-VALUE})")
    int shards;

    @Option(names = "--parallelism", defaultValue = "1",
            description = "parallelism of the index, shard and merge operators (default: ${DEFAULT-VALUE})")
    int parallelism;

    @Override
    public Integer call() throws Exception {
        if (keys < 1 || vectors < keys || dim < 1 || ef < TenantWorkload.K || parallelism < 1) {
            throw new IllegalArgumentException("need --keys >= 1, --vectors >= --keys, --dim >= 1, --parallelism >= 1"
                    + " and --ef >= " + TenantWorkload.K);
        }
        int queryCount = queries != null ? queries : Math.max(1000, vectors / 100);
        log("planning %d keys (%s), %d vectors of dim %d, %d queries", keys, sizes.name(), vectors, dim, queryCount);
        TenantWorkload workload = new TenantWorkload(keys, vectors, dim, sizes, queryCount, seed);
        Sample sample = Sample.of(workload, seed);
        Set<String> kept = sample.queryIds();
        BenchSink.keep = kept::contains;

        Path work = Files.createTempDirectory("tenant-bench");
        Configuration conf = StateBench.clusterConfig(work, true, CHECKPOINT_INTERVAL);
        CapturedMetrics.enable(conf);
        CapturedMetrics.clear();
        BenchSink.RESULTS.clear();
        BenchSink.ARRIVED.clear();
        UpdateSink.LAST.clear();
        UpdateSink.COUNT.set(0);
        int[] recallSample = subscriptionSample();
        Set<String> sampled = Arrays.stream(recallSample).mapToObj(s -> "s-" + s).collect(Collectors.toSet());
        UpdateSink.keep = sampled::contains;
        float[][] subscriptionVectors = workload.subscriptionVectors(subscriptions);
        try (MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder().setConfiguration(conf)
                .setNumTaskManagers(1).setNumSlotsPerTaskManager(parallelism).build())) {
            cluster.start();
            JobID job = StateBench.submit(cluster, conf, settings(), parallelism, null, true);
            StateBench.awaitStatus(cluster, job, JobStatus.RUNNING);
            double baselineMb = heapUsedMbAfterGc();
            log("heap after GC before the load: %.1f MB", baselineMb);

            if (subscriptions > 0) {
                run(cluster, job, "subscribe", subscriptions, out -> {
                    for (int s = 0; s < subscriptions; s++) {
                        out.accept(IndexEvent.subscribe(TenantWorkload.keyName(s % keys), "s-" + s, null,
                                subscriptionVectors[s], TenantWorkload.K, ef));
                    }
                }, IndexEvent.query(TenantWorkload.keyName(0), SUBSCRIBED, workload.queryVectors[0], 1, ef), SUBSCRIBED);
            }
            long events = (long) workload.vectors() + queryCount;
            double loadSeconds = run(cluster, job, "load", events, out -> workload.loadEvents(ef, out),
                    IndexEvent.query(TenantWorkload.keyName(0), LOAD_DONE, workload.queryVectors[0], 1, ef), LOAD_DONE);
            // the load's last writes reach state at the next checkpoint; that write-back is the load's, not the queries'
            long settled = StateBench.awaitCheckpointTriggeredAfter(cluster, job, System.currentTimeMillis())
                    .getCheckpointId();
            log("checkpoint %d after the load completed; warming the query paths up", settled);
            int queryPhase = Math.max(queryCount, MIN_QUERY_PHASE);
            // The load sends one query per hundred upserts, so the paths only queries take (a sharded key's
            // merge above all) are first compiled by the JIT here; timed, that compiling would be counted
            // as query time, and on a machine whose cores the shards already fill it takes their CPU.
            run(cluster, job, "query warm-up", queryPhase, out -> workload.warmUpEvents(ef, queryPhase, out),
                    IndexEvent.query(TenantWorkload.keyName(0), WARMED_UP, workload.queryVectors[0], 1, ef),
                    WARMED_UP);
            log("starting the query phase");
            double querySeconds = run(cluster, job, "query", queryPhase,
                    out -> workload.queryEvents(ef, queryPhase, out),
                    IndexEvent.query(TenantWorkload.keyName(0), QUERIES_DONE, workload.queryVectors[0], 1, ef),
                    QUERIES_DONE);
            int answered = countAnswered(queryCount);
            double heapMb = heapUsedMbAfterGc();
            log("heap after GC at the end: %.1f MB", heapMb);
            Double hits = CapturedMetrics.sum("cacheHits");
            Double misses = CapturedMetrics.sum("cacheMisses");
            Double reloadedVectors = CapturedMetrics.sum("reloadedVectors");
            Double reloadMicros = CapturedMetrics.sum("reloadMicros");
            Double maxEventMicros = CapturedMetrics.max("maxEventMicros");
            Double mergeP99Micros = CapturedMetrics.maxQuantile("mergeLatencyMicros", 0.99);
            Double mergeCpuP99Micros = CapturedMetrics.maxQuantile("mergeCpuMicros", 0.99);
            log("search in the operators (slowest subtask, last 10,000 queries): p50 %s µs, p99 %s µs",
                    CapturedMetrics.maxQuantile("queryLatencyMicros", 0.5),
                    CapturedMetrics.maxQuantile("queryLatencyMicros", 0.99));
            cluster.cancelJob(job).get();

            double recall = sample.recall(workload);
            double subscriptionRecall = subscriptionRecall(workload, subscriptionVectors, recallSample);
            JsonLine line = new JsonLine()
                    .put("events_per_s", events / loadSeconds, 1)
                    .put("upserts", workload.vectors())
                    .put("queries", answered)
                    .put("recall_at_k", recall, 4)
                    .put("heap_baseline_mb", baselineMb, 1)
                    .put("heap_used_mb", heapMb, 1);
            putLong(line, "index_memory_bytes", CapturedMetrics.sum("indexMemoryBytes"));
            putDouble(line, "cache_hit_rate", hits == null || misses == null ? null : hits / (hits + misses), 4);
            putLong(line, "reloads", CapturedMetrics.sum("reloads"));
            putLong(line, "graph_loads", CapturedMetrics.sum("graphLoads"));
            putDouble(line, "reload_vectors_per_s", reloadedVectors == null || reloadMicros == null
                    || reloadMicros == 0 ? null : reloadedVectors / (reloadMicros / 1e6), 1);
            putLong(line, "flat_keys", CapturedMetrics.sum("flatKeys"));
            putLong(line, "graph_keys", CapturedMetrics.sum("graphKeys"));
            putDouble(line, "max_event_ms", maxEventMicros == null ? null : maxEventMicros / 1000, 3);
            putDouble(line, "merge_p99_ms", mergeP99Micros == null ? null : mergeP99Micros / 1000, 3);
            putDouble(line, "merge_cpu_p99_ms", mergeCpuP99Micros == null ? null : mergeCpuP99Micros / 1000, 3);
            line.put("shards", shards)
                    .put("parallelism", parallelism)
                    .put("ingest_per_s", workload.vectors() / loadSeconds, 1)
                    .put("queries_per_s", queryPhase / querySeconds, 1);
            line.put("subscriptions", subscriptions);
            line.put("updates", UpdateSink.COUNT.get());
            putDouble(line, "subscription_recall_at_k", subscriptions == 0 ? null : subscriptionRecall, 4);
            System.out.println(line);
        }
        return 0;
    }

    /** Up to {@value #RECALL_SAMPLE_PER_CLASS} subscriptions (drawn with the seed) whose recall is measured. */
    private int[] subscriptionSample() {
        SplittableRandom random = new SplittableRandom(seed ^ 0x5B5);
        return subscriptions == 0 ? new int[0]
                : random.ints(Math.min(subscriptions, RECALL_SAMPLE_PER_CLASS), 0, subscriptions).toArray();
    }

    /** Recall@k of the sampled subscriptions' last pushed lists against the exact top-k of their key's final vectors; NaN without any. */
    private double subscriptionRecall(TenantWorkload w, float[][] vectors, int[] sample) {
        if (subscriptions == 0) {
            return Double.NaN;
        }
        boolean[] wanted = new boolean[w.keys()];
        for (int s : sample) {
            wanted[s % keys] = true;
        }
        float[][][] keyVectors = w.vectorsOf(wanted);
        double sum = 0;
        for (int s : sample) {
            int[] truth = ExactKnn.nearest(keyVectors[s % keys], vectors[s], TenantWorkload.K, Metric.L2, row -> false);
            Set<String> expected = new HashSet<>();
            for (int row : truth) {
                expected.add("v" + row);
            }
            SubscriptionUpdate last = UpdateSink.LAST.get("s-" + s);
            sum += last == null ? 0 : (double) last.neighbours.stream().filter(n -> expected.contains(n.id)).count()
                    / truth.length;
        }
        log("subscription recall@%d over %d subscriptions: %.4f", TenantWorkload.K, sample.length, sum / sample.length);
        return sum / sample.length;
    }

    private IndexSettings settings() {
        return IndexSettings.builder().indexMemoryBytes(indexMemory == null ? 0 : indexMemory.getBytes()).shards(shards)
                .build();
    }

    /**
     * Streams one phase's events to the job in batches (at most a few queued, so the stream is never
     * held in memory), then {@code marker}; returns the seconds from the first event emitted to the
     * marker's answer.
     */
    private static double run(MiniCluster cluster, JobID job, String phase, long events,
                              Consumer<Consumer<IndexEvent>> source, IndexEvent marker, String markerId)
            throws Exception {
        BenchSource.firstEmitMillis = 0;
        long cpuStart = processCpuNanos();
        ThreadCpu threadsStart = ThreadCpu.now(cpuStart);
        long[] sent = {0};
        long[] lastLog = {System.currentTimeMillis()};
        List<IndexEvent> batch = new ArrayList<>(BATCH);
        Consumer<IndexEvent> enqueue = e -> {
            batch.add(e);
            if (batch.size() == BATCH) {
                offer(batch);
                sent[0] += BATCH;
                long now = System.currentTimeMillis();
                if (now - lastLog[0] >= 10_000) {
                    lastLog[0] = now;
                    long first = BenchSource.firstEmitMillis;
                    log("%s: %d / %d events sent (%.0f events/s)", phase, sent[0], events,
                            first == 0 ? 0 : sent[0] * 1000.0 / Math.max(1, now - first));
                }
            }
        };
        source.accept(enqueue);
        batch.add(marker);
        offer(batch);
        long done = StateBench.awaitResult(cluster, job, markerId);
        double seconds = (done - BenchSource.firstEmitMillis) / 1000.0;
        long cpuEnd = processCpuNanos();
        double cpuSeconds = (cpuEnd - cpuStart) / 1e9;
        // on a shared machine wall time also counts other processes; CPU time of this JVM does not
        log("%s: %d events in %.1f s (%.0f events/s), %.1f CPU-s of this JVM (%.0f events per CPU-s)", phase, events,
                seconds, events / seconds, cpuSeconds, events / cpuSeconds);
        log("%s: CPU time by thread: %s", phase, ThreadCpu.now(cpuEnd).since(threadsStart, 6));
        return seconds;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static void offer(List<IndexEvent> batch) {
        try {
            while (BenchSource.BATCHES.size() >= MAX_QUEUED_BATCHES) {
                Thread.sleep(1);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while feeding the job", e);
        }
        BenchSource.BATCHES.add(batch.toArray(IndexEvent[]::new));
        batch.clear();
    }

    private static int countAnswered(int queryCount) {
        int answered = 0;
        for (int i = 0; i < queryCount; i++) {
            if (BenchSink.ARRIVED.containsKey("q-" + i)) {
                answered++;
            }
        }
        return answered;
    }

    private static double heapUsedMbAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024.0 * 1024.0);
    }

    private static void putLong(JsonLine line, String name, Double value) {
        if (value == null) {
            line.put(name, (String) null);
        } else {
            line.put(name, Math.round(value));
        }
    }

    private static void putDouble(JsonLine line, String name, Double value, int digits) {
        line.put(name, value == null ? Double.NaN : value, digits);
    }

    static void log(String format, Object... args) {
        System.err.printf("[tenant-bench] " + format + "%n", args);
    }

    /**
     * The queries whose answers are checked exactly, up to {@value #RECALL_SAMPLE_PER_CLASS} per size
     * class (the decade of the key's size), drawn with the seed: in the load phase by the size the
     * key had when the query came (checked against the vectors upserted before it), in the query
     * phase by the key's final size (checked against all its vectors).
     */
    record Sample(TreeMap<Integer, List<Integer>> load, TreeMap<Integer, List<Integer>> complete) {
        static Sample of(TenantWorkload w, long seed) {
            SplittableRandom random = new SplittableRandom(seed ^ 0x5EED);
            TreeMap<Integer, List<Integer>> load = new TreeMap<>();
            TreeMap<Integer, List<Integer>> complete = new TreeMap<>();
            for (int q = 0; q < w.queryKeys.length; q++) {
                if (w.queryPrefix[q] > 0) {
                    load.computeIfAbsent(sizeClass(w.queryPrefix[q]), c -> new ArrayList<>()).add(q);
                }
                complete.computeIfAbsent(sizeClass(w.sizes[w.queryKeys[q]]), c -> new ArrayList<>()).add(q);
            }
            return new Sample(choose(load, random), choose(complete, random));
        }

        private static TreeMap<Integer, List<Integer>> choose(TreeMap<Integer, List<Integer>> all,
                                                               SplittableRandom random) {
            TreeMap<Integer, List<Integer>> chosen = new TreeMap<>();
            all.forEach((c, list) -> {
                for (int i = list.size() - 1; i > 0; i--) {
                    int j = random.nextInt(i + 1);
                    Integer t = list.get(i);
                    list.set(i, list.get(j));
                    list.set(j, t);
                }
                chosen.put(c, new ArrayList<>(list.subList(0, Math.min(RECALL_SAMPLE_PER_CLASS, list.size()))));
            });
            return chosen;
        }

        static int sizeClass(int size) {
            return (int) Math.floor(Math.log10(size));
        }

        Set<String> queryIds() {
            Set<String> ids = new HashSet<>();
            load.values().forEach(list -> list.forEach(q -> ids.add("q-" + q)));
            complete.values().forEach(list -> list.forEach(q -> ids.add("r-" + q)));
            return ids;
        }

        /** Recall@k of the sampled answers per class and phase (on stderr); returns the lowest class's. */
        double recall(TenantWorkload w) {
            boolean[] wanted = new boolean[w.keys()];
            load.values().forEach(list -> list.forEach(q -> wanted[w.queryKeys[q]] = true));
            complete.values().forEach(list -> list.forEach(q -> wanted[w.queryKeys[q]] = true));
            log("exact check of %d + %d queries", load.values().stream().mapToInt(List::size).sum(),
                    complete.values().stream().mapToInt(List::size).sum());
            float[][][] vectors = w.vectorsOf(wanted);
            double lowest = Math.min(recall(w, vectors, load, "q-", true), recall(w, vectors, complete, "r-", false));
            return lowest;
        }

        private static double recall(TenantWorkload w, float[][][] vectors, TreeMap<Integer, List<Integer>> classes,
                                     String prefix, boolean asLoaded) {
            double lowest = Double.NaN;
            for (var e : classes.entrySet()) {
                double sum = 0;
                for (int q : e.getValue()) {
                    QueryResult answer = BenchSink.RESULTS.get(prefix + q);
                    float[][] key = vectors[w.queryKeys[q]];
                    float[][] seen = asLoaded ? Arrays.copyOf(key, w.queryPrefix[q]) : key;
                    int[] truth = ExactKnn.nearest(seen, w.queryVectors[q], TenantWorkload.K, Metric.L2, row -> false);
                    Set<String> expected = new HashSet<>();
                    for (int row : truth) {
                        expected.add("v" + row);
                    }
                    long found = answer.neighbours.stream().filter(n -> expected.contains(n.id)).count();
                    sum += (double) found / truth.length;
                }
                double recall = sum / e.getValue().size();
                int from = (int) Math.pow(10, e.getKey());
                log("recall@%d %s keys of %d..%d vectors: %.4f (%d queries)", TenantWorkload.K,
                        asLoaded ? "in the load phase, on" : "in the query phase, on", from, from * 10 - 1, recall,
                        e.getValue().size());
                lowest = Double.isNaN(lowest) ? recall : Math.min(lowest, recall);
            }
            return lowest;
        }
    }

    /** Reads sizes in Flink's memory-size syntax (256m, 1g, bytes). */
    static final class MemorySizeConverter implements CommandLine.ITypeConverter<MemorySize> {
        @Override
        public MemorySize convert(String value) {
            return MemorySize.parse(value);
        }
    }
}
