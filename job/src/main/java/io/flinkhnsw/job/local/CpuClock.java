package io.flinkhnsw.job.local;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;

/**
 * CPU time of this process and of its threads whose name starts with a prefix (the MiniCluster's
 * task threads run in this JVM and are named after their operator chain), in seconds. Meant for
 * differences over a window: unlike wall time, CPU time does not grow when other work on the
 * machine takes the cores. Threads that ended before a reading no longer count in it.
 */
final class CpuClock {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private CpuClock() {
    }

    static double process() {
        return OS.getProcessCpuTime() / 1e9;
    }

    static double threads(String namePrefix) {
        long nanos = 0;
        for (ThreadInfo t : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (t != null && t.getThreadName().startsWith(namePrefix)) {
                long cpu = THREADS.getThreadCpuTime(t.getThreadId());
                if (cpu > 0) nanos += cpu;
            }
        }
        return nanos / 1e9;
    }
}
