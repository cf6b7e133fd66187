package io.flinkhnsw.job.pipeline;

import io.flinkhnsw.operators.IndexEvent;
import org.apache.flink.api.common.functions.MapFunction;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fails the job once, after {@code n} events have passed through all its subtasks together, to
 * show that recovery replays from the last checkpoint without losing or duplicating output. The
 * "once" is JVM-wide static state, so it works in a MiniCluster (local runs, tests), where the
 * restarted tasks live in the same JVM; it is not meant for real clusters.
 */
public class FailOnceAfter implements MapFunction<IndexEvent, IndexEvent> {
    private static final long serialVersionUID = 1L;
    private static final AtomicLong SEEN = new AtomicLong();
    private static final AtomicBoolean FAILED = new AtomicBoolean();

    private final long n;

    public FailOnceAfter(long n) {
        this.n = n;
    }

    /** Arms the failure again (a new run in the same JVM). */
    public static void reset() {
        SEEN.set(0);
        FAILED.set(false);
    }

    public static boolean hasFailed() {
        return FAILED.get();
    }

    @Override
    public IndexEvent map(IndexEvent e) {
        if (SEEN.incrementAndGet() > n && FAILED.compareAndSet(false, true)) {
            throw new InjectedFailure("injected failure after " + n + " events (--inject-failure-after)");
        }
        return e;
    }

    /** The exception thrown, so logs show it was deliberate. */
    public static final class InjectedFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InjectedFailure(String message) {
            super(message);
        }
    }
}
