package io.flinkhnsw.operators.bench;

import io.flinkhnsw.operators.IndexEvent;
import org.apache.flink.streaming.api.functions.source.legacy.SourceFunction;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Emits the batches of events {@link StateBench} hands it, in order, and stays running between
 * batches so checkpoints keep being taken. The benchmark runs its MiniCluster in the same JVM, so
 * the batches travel through a static queue; this source is for the benchmark only. Only the source of
 * the latest submitted job takes batches: a legacy source thread of an earlier, cancelled job can
 * outlive its task, and must not take the batches meant for the next job.
 */
final class BenchSource implements SourceFunction<IndexEvent> {
    static final BlockingQueue<IndexEvent[]> BATCHES = new LinkedBlockingQueue<>();
    /** When the first event of the current job was emitted (epoch ms), 0 before. */
    static volatile long firstEmitMillis;

    private static final AtomicInteger LATEST_JOB = new AtomicInteger();

    private final int job = LATEST_JOB.incrementAndGet();
    private volatile boolean running = true;

    @Override
    public void run(SourceContext<IndexEvent> ctx) throws InterruptedException {
        while (running && job == LATEST_JOB.get()) {
            IndexEvent[] batch = BATCHES.poll(20, TimeUnit.MILLISECONDS);
            if (batch == null) {
                continue;
            }
            if (firstEmitMillis == 0) {
                firstEmitMillis = System.currentTimeMillis();
            }
            for (IndexEvent e : batch) {
                if (!running) {
                    return;
                }
                synchronized (ctx.getCheckpointLock()) {
                    ctx.collect(e);
                }
            }
        }
    }

    @Override
    public void cancel() {
        running = false;
    }
}
