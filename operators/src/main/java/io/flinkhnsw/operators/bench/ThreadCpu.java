package io.flinkhnsw.operators.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The CPU time of this JVM's threads over a phase, grouped by thread name without Flink's subtask
 * suffix (" (1/2)#0"), so a benchmark can say which operator chains spent it; what no Java thread
 * accounts for (GC, the JIT) is the rest of the process's CPU time.
 */
final class ThreadCpu {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final Map<Long, Long> nanosById = new HashMap<>();
    private final Map<Long, String> names = new HashMap<>();
    private final long processNanos;

    private ThreadCpu(long processNanos) {
        this.processNanos = processNanos;
    }

    /** The CPU time so far of every live thread, and of the process ({@code processNanos}). */
    static ThreadCpu now(long processNanos) {
        ThreadCpu t = new ThreadCpu(processNanos);
        for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (info != null) {
                long nanos = THREADS.getThreadCpuTime(info.getThreadId());
                if (nanos >= 0) {
                    t.nanosById.put(info.getThreadId(), nanos);
                    t.names.put(info.getThreadId(), info.getThreadName().replaceAll(" \\(\\d+/\\d+\\)#\\d+$", ""));
                }
            }
        }
        return t;
    }

    /** The {@code top} thread groups by CPU time since {@code start}, with their share of the process's, and the rest. */
    String since(ThreadCpu start, int top) {
        Map<String, Long> byName = new HashMap<>();
        long threads = 0;
        for (Map.Entry<Long, Long> e : nanosById.entrySet()) {
            long spent = e.getValue() - start.nanosById.getOrDefault(e.getKey(), 0L);
            byName.merge(names.get(e.getKey()), spent, Long::sum);
            threads += spent;
        }
        double process = Math.max(1, processNanos - start.processNanos);
        String groups = byName.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(top).map(e -> String.format("%s %.0f %%", e.getKey(), 100 * e.getValue() / process))
                .collect(Collectors.joining(", "));
        return groups + String.format(", GC, JIT and other non-Java threads %.0f %%", 100 * (process - threads) / process);
    }
}
