package io.flinkhnsw.job;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Re-runs {@link Main} in a child JVM with {@link JvmFlags}. {@code java -jar} cannot add a module
 * (no manifest attribute does that), so without this the HNSW kernels would fall back to scalar code.
 * The child gets the same java binary and JVM options, inherits stdin/stdout/stderr, is destroyed
 * when this JVM is stopped (Ctrl-C, SIGTERM) and its exit code becomes ours.
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
        cmd.add(ownJar());
        cmd.add(Main.class.getName());
        cmd.addAll(List.of(args));
        Process child = new ProcessBuilder(cmd).inheritIO().start();
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
            // We are being stopped (Ctrl-C, SIGTERM) and the hook already ended the child.
        }
        return code;
    }

    private static String ownJar() throws URISyntaxException {
        File f = new File(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        return f.getAbsolutePath();
    }
}
