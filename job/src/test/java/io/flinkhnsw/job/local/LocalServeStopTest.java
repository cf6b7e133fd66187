package io.flinkhnsw.job.local;

import io.flinkhnsw.job.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code local --serve} started the way a user starts the jar (a JVM without the Vector API
 * module, which relaunches itself in a child JVM) and stopped with SIGTERM sent to the process the
 * user started: the signal reaches the child, which cancels the job, stops Kafka, says "stopped"
 * and exits 0, and the parent exits with that code, leaving no process behind.
 */
class LocalServeStopTest {
    @TempDir
    Path dir;

    @Test
    void sigtermStopsCleanlyThroughTheRelaunch() throws Exception {
        Path out = dir.resolve("stdout.txt");
        Path err = dir.resolve("stderr.txt");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "local", "--serve"))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (!Files.readString(out).contains("serving")) {
                assertThat(p.isAlive()).as("still running; stderr: %s", Files.readString(err)).isTrue();
                assertThat(System.nanoTime()).as("serving within 3 minutes").isLessThan(deadline);
                Thread.sleep(200);
            }
            List<ProcessHandle> children = p.descendants().toList();
            assertThat(children).as("the relaunched child JVM").isNotEmpty();

            p.destroy(); // SIGTERM to the JVM the user started
            assertThat(p.waitFor(2, TimeUnit.MINUTES)).as("exited").isTrue();
            assertThat(p.exitValue()).as("exit code; stderr: %s", Files.readString(err)).isZero();
            String stdout = Files.readString(out);
            assertThat(stdout).contains("bootstrap.servers=127.0.0.1:").contains("serving").endsWith("stopped\n");
            assertThat(Files.readString(err)).doesNotContain("failed").doesNotContain("Exception");
            for (ProcessHandle c : children) {
                assertThat(c.onExit().get(30, TimeUnit.SECONDS).isAlive()).isFalse();
            }
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }
}
