package io.flinkhnsw.job;

import sun.misc.Signal;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Re-runs {@link Main} in a child JVM with {@link JvmFlags}. {@code java -jar} cannot add a module
 * (no manifest attribute does that), so without this the HNSW kernels would fall back to scalar code.
 * The child gets the same java binary, JVM options and class path and inherits stdin/stdout/stderr;
 * SIGINT and SIGTERM sent to this JVM are passed on to the child (as SIGTERM), which stops the way
 * it stops by itself, and its exit code becomes ours.
 */
final class ChildJvm {
    /** Set in the child so it never relaunches again, and settable by users to opt out. */
    static final String MARKER = "flinkhnsw.relaunched";

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
}
