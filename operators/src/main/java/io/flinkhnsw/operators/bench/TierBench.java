package io.flinkhnsw.operators.bench;

import io.flinkhnsw.bench.JsonLine;
import io.flinkhnsw.data.ClusteredDataset;
import io.flinkhnsw.data.ExactKnn;
import io.flinkhnsw.hnsw.GraphStore;
import io.flinkhnsw.hnsw.HnswConfig;
import io.flinkhnsw.hnsw.HnswIndex;
import io.flinkhnsw.hnsw.KeyIndex;
import io.flinkhnsw.hnsw.SearchResult;
import io.flinkhnsw.vector.Metric;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/**
 * Where a key should become a graph: for each dimension and key size, the CPU time of one exact scan
 * of a flat key ({@link KeyIndex} below its flat limit) against one HNSW search at the given ef,
 * both single-threaded in this JVM on the same clustered data and queries (best of several passes),
 * with the search's recall@k and the graph's insert CPU time per vector. One JSON line per (dim, size).
 */
@Command(name = "tier-bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Exact scan of a flat key against HNSW search, by key size: where a key should become a graph.")
public final class TierBench implements Callable<Integer> {
    /** Times are this thread's CPU time: a benchmark on a shared machine should not count time it was descheduled. */
    private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();

    @Option(names = "--dims", split = ",", defaultValue = "64,128", description = "dimensions (default: ${DEFAULT-VALUE})")
    int[] dims;

    @Option(names = "--sizes", split = ",", defaultValue = "256,512,1024,2048,4096,8192,16384",
            description = "key sizes (default: ${DEFAULT-VALUE})")
    int[] sizes;

    @Option(names = "--ef", defaultValue = "64", description = "search beam width (default: ${DEFAULT-VALUE}, the job's fixed default until the dynamic ef,"
            + " which gives " + HnswConfig.DYNAMIC_EF_MIN + " up to k = " + HnswConfig.DYNAMIC_EF_MIN / HnswConfig.DYNAMIC_EF_FACTOR + ")")
    int ef;

    @Option(names = "--k", defaultValue = "10", description = "neighbours per query (default: ${DEFAULT-VALUE})")
    int k;

    @Option(names = "--queries", defaultValue = "200", description = "queries per pass (default: ${DEFAULT-VALUE})")
    int queries;

    @Option(names = "--passes", defaultValue = "20", description = "timed passes, best kept (default: ${DEFAULT-VALUE})")
    int passes;

    @Option(names = "--seed", defaultValue = "42", description = "data seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Override
    public Integer call() {
        HnswConfig config = HnswConfig.defaults(Metric.L2).withDefaultEf(ef);
        measure(config, dims[0], 2048, false); // JIT warm-up, not printed
        for (int dim : dims) {
            for (int size : sizes) {
                measure(config, dim, size, true);
            }
        }
        return 0;
    }

    private void measure(HnswConfig config, int dim, int size, boolean print) {
        ClusteredDataset data = new ClusteredDataset(dim, TenantWorkload.CLUSTERS, TenantWorkload.SPREAD, seed);
        float[][] base = data.next(size);
        float[][] probes = data.next(queries);
        KeyIndex flat = KeyIndex.create(config, Integer.MAX_VALUE, KeyIndex.Listener.NONE, GraphStore.NONE, KeyIndex.GraphSource.NONE);
        HnswIndex graph = HnswIndex.create(config, GraphStore.NONE);
        for (int i = 0; i < size; i++) {
            flat.upsert("v" + i, base[i]);
        }
        long start = CPU.getCurrentThreadCpuTime();
        for (int i = 0; i < size; i++) {
            graph.upsert("v" + i, base[i]);
        }
        double insertMicros = (CPU.getCurrentThreadCpuTime() - start) / 1e3 / size;
        double exactMicros = bestMicrosPerQuery(probes, q -> flat.search(q, k, ef));
        double graphMicros = bestMicrosPerQuery(probes, q -> graph.search(q, k, ef));
        int[][] truth = ExactKnn.topK(base, probes, k, Metric.L2);
        int[][] found = new int[queries][];
        for (int q = 0; q < queries; q++) {
            SearchResult r = graph.search(probes[q], k, ef);
            found[q] = new int[r.size()];
            for (int i = 0; i < r.size(); i++) {
                found[q][i] = Integer.parseInt(r.id(i).substring(1));
            }
        }
        if (!print) {
            return;
        }
        System.out.println(new JsonLine().put("bench", "tier-crossover").put("dim", dim).put("n", size)
                .put("k", k).put("ef", ef).put("exact_scan_cpu_us", exactMicros, 2)
                .put("graph_search_cpu_us", graphMicros, 2).put("graph_over_exact", graphMicros / exactMicros, 3)
                .put("graph_recall_at_k", ExactKnn.recall(found, truth, k), 4)
                .put("graph_insert_cpu_us", insertMicros, 1));
    }

    private double bestMicrosPerQuery(float[][] probes, java.util.function.Consumer<float[]> search) {
        for (float[] q : probes) {
            search.accept(q); // warm-up
        }
        double best = Double.MAX_VALUE;
        for (int pass = 0; pass < passes; pass++) {
            long start = CPU.getCurrentThreadCpuTime();
            for (float[] q : probes) {
                search.accept(q);
            }
            best = Math.min(best, (CPU.getCurrentThreadCpuTime() - start) / 1e3 / probes.length);
        }
        return best;
    }
}
