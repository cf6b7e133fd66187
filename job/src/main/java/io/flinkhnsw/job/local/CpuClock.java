package io.flinkhnsw.job.local;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;

/**
 * CPU time of this process and of its threads whose name starts with a prefix (the MiniCluster's
 * task threads run in this JVM and are named after their operator chain), and the time the JIT
 * compilers spent compiling, in seconds. Meant for differences over a window: unlike wall time, CPU
 * time does not grow when other work on the machine takes the cores. Threads that ended before a
 * reading no longer count in it.
 */
final class CpuClock {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final CompilationMXBean COMPILER = ManagementFactory.getCompilationMXBean();
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private CpuClock() {
    }

    /**
     * The compilers' time spent compiling, summed over their threads (elapsed time, so it includes
     * time a compiler waited for a core); NaN when the JVM does not measure it.
     */
    static double compiling() {
        return COMPILER.isCompilationTimeMonitoringSupported() ? COMPILER.getTotalCompilationTime() / 1e3 : Double.NaN;
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
