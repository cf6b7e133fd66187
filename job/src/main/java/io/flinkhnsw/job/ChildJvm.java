package io.flinkhnsw.job;

import sun.misc.Signal;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Re-runs {@link Main} in a child JVM with {@link JvmFlags}. {@code java -jar} cannot add a module
 * (no manifest attribute does that), so without this the HNSW kernels would fall back to scalar code.
 * The child gets the same java binary, JVM options and class path and inherits stdin/stdout/stderr;
 * SIGINT and SIGTERM sent to this JVM are passed on to the child (as SIGTERM), which stops the way
 * it stops by itself, and its exit code becomes ours. A launching JVM killed outright (SIGKILL) can
 * pass nothing on, so the child watches it ({@link #exitWithParent}) and stops when it is gone.
 */
final class ChildJvm {
    /** Set in the child so it never relaunches again, and settable by users to opt out. */
    static final String MARKER = "flinkhnsw.relaunched";
    /** The launching JVM's pid, given to the child, which stops when that process is gone. */
    static final String PARENT_PID = "flinkhnsw.parent-pid";

    private ChildJvm() {
    }

    static boolean needed() {
        return !JvmFlags.vectorModulePresent() && System.getProperty(MARKER) == null;
    }

    static int run(String[] args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.addAll(JvmFlags.all());
        cmd.add("-D" + MARKER + "=true");
        cmd.add("-D" + PARENT_PID + "=" + ProcessHandle.current().pid());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.addAll(List.of(args));
        Process child = new ProcessBuilder(cmd).inheritIO().start();
        for (String name : new String[] {"INT", "TERM"}) {
            Signal.handle(new Signal(name), signal -> child.destroy());
        }
        // other ways this JVM may end (SIGHUP, System.exit elsewhere) still take the child along
        Thread stopper = new Thread(() -> {
            child.destroy();
            try {
                child.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "stop-child-jvm");
        Runtime.getRuntime().addShutdownHook(stopper);
        int code = child.waitFor();
        try {
            Runtime.getRuntime().removeShutdownHook(stopper);
        } catch (IllegalStateException shuttingDown) {
            // We are being stopped (SIGHUP) and the hook already ended the child.
        }
        return code;
    }

    /**
     * In a relaunched child: stops this JVM ({@code System.exit(1)}, so shutdown hooks run) once the
     * launching JVM is gone, e.g. killed with SIGKILL, which would otherwise leave the child running
     * on its own (a producer still writing into a test's next broker, say).
     */
    static void exitWithParent() {
        String pid = System.getProperty(PARENT_PID);
        if (pid != null) {
            whenGone(Long.parseLong(pid), () -> {
                System.err.println("flink-hnsw: the launching JVM (pid " + pid + ") is gone; stopping");
                System.exit(1);
            });
        }
    }

    /** Runs {@code action} once process {@code pid} has ended (at once if there is no such process). */
    static void whenGone(long pid, Runnable action) {
        ProcessHandle.of(pid).map(ProcessHandle::onExit)
                .orElse(CompletableFuture.completedFuture(null))
                .thenRun(action);
    }
}
