package io.flinkhnsw.job;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Properties;

/**
 * The JVM flags Flink needs on Java 17 (add-opens/add-exports) plus the Vector API module. The one
 * copy lives in the parent pom's {@code jvm.module.flags}; Maven filters it into
 * {@code flink-hnsw-jvm.properties} so the relaunch in {@link Main} and the cluster scripts
 * ({@code java -cp flink-hnsw.jar io.flinkhnsw.job.JvmFlags}) read the same list.
 */
public final class JvmFlags {
    private static final String RESOURCE = "/flink-hnsw-jvm.properties";
    public static final String VECTOR_MODULE = "jdk.incubator.vector";

    private JvmFlags() {
    }

    /** All flags, e.g. {@code --add-modules=jdk.incubator.vector}, {@code --add-opens=java.base/java.lang=ALL-UNNAMED}. */
    public static List<String> all() {
        try (InputStream in = JvmFlags.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " missing from the classpath (build with Maven)");
            }
            Properties p = new Properties();
            p.load(in);
            String flags = p.getProperty("flags", "").trim();
            if (flags.isEmpty() || flags.startsWith("${")) {
                throw new IllegalStateException(RESOURCE + " was not filtered by Maven: " + flags);
            }
            return List.of(flags.split("\\s+"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** True when this JVM runs with the Vector API module resolved. */
    public static boolean vectorModulePresent() {
        return ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
    }

    /** Prints the flags on one line, for shell scripts. */
    public static void main(String[] args) {
        System.out.println(String.join(" ", all()));
    }
}
