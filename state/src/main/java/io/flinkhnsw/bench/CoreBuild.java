package io.flinkhnsw.bench;

import io.flinkhnsw.data.ClusteredDataset;
import io.flinkhnsw.hnsw.GraphStore;
import io.flinkhnsw.hnsw.HnswConfig;
import io.flinkhnsw.hnsw.HnswIndex;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.function.Consumer;

/**
 * The core insert rate, the yardstick every ingest figure of the project is compared with: an
 * untimed JIT warm-up on a throwaway synthetic index of the same dimension and parameters, then a
 * timed single-threaded build of an in-memory {@link HnswIndex} (no state) from the given vectors,
 * row {@code i} under id {@code "i"}. {@code bench}, {@code state-bench} and {@code local} all
 * measure it this way, so their ratios share one denominator.
 */
public final class CoreBuild {
    /** Synthetic vectors of the JIT warm-up unless a command says otherwise. */
    public static final int DEFAULT_JIT_WARMUP = 5000;

    public final HnswIndex index;
    /** Vectors inserted by the timed build. */
    public final int inserted;
    public final double seconds;
    /** CPU time of the building thread; below {@link #seconds} when other work took the core. */
    public final double cpuSeconds;

    private CoreBuild(HnswIndex index, int inserted, double seconds, double cpuSeconds) {
        this.index = index;
        this.inserted = inserted;
        this.seconds = seconds;
        this.cpuSeconds = cpuSeconds;
    }

    /**
     * Warms up with {@code jitWarmup} synthetic vectors (0 = none), then builds and times the index of
     * {@code base}; progress lines go to {@code progress}.
     */
    public static CoreBuild run(HnswConfig config, float[][] base, int jitWarmup, Consumer<String> progress) {
        if (jitWarmup > 0) {
            warmUpJit(config, base[0].length, jitWarmup, progress);
        }
        HnswIndex index = HnswIndex.create(config, GraphStore.NONE);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpu0 = threads.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        int step = Math.max(1, base.length / 10);
        for (int i = 0; i < base.length; i++) {
            index.upsert(Integer.toString(i), base[i]);
            if ((i + 1) % step == 0 && i + 1 < base.length) {
                progress.accept(String.format("built %d/%d", i + 1, base.length));
            }
        }
        CoreBuild build = new CoreBuild(index, base.length, (System.nanoTime() - t0) / 1e9,
                (threads.getCurrentThreadCpuTime() - cpu0) / 1e9);
        // CPU time next to wall time: on a busy machine the difference is the time other work took
        progress.accept(String.format("build %.2fs (%.0f inserts/s; %.2fs of CPU)", build.seconds,
                build.insertsPerSecond(), build.cpuSeconds));
        return build;
    }

    public double insertsPerSecond() {
        return inserted / seconds;
    }

    /**
     * Builds a throwaway index of synthetic vectors with the same dimension and parameters and
     * deletes half of it, so the timed build measures compiled code as hnswlib's (compiled ahead of
     * time) does, not the JIT compiling it. The timed build starts from nothing.
     */
    private static void warmUpJit(HnswConfig config, int dim, int count, Consumer<String> progress) {
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
        progress.accept(String.format("JIT warm-up on %d synthetic vectors took %.2fs (not timed)", count,
                (System.nanoTime() - w0) / 1e9));
    }
}
