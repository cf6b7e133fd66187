package io.flinkhnsw.job;

import io.flinkhnsw.cli.Cli;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;

/**
 * The JVM flags Flink needs on Java 17 (add-opens/add-exports) plus the Vector API module. The one
 * copy lives in the parent pom's {@code jvm.module.flags}; Maven filters it into
 * {@code flink-hnsw-jvm.properties} so the relaunch in {@link Main} and the cluster scripts
 * ({@code java -jar flink-hnsw.jar jvm-flags}) read the same list.
 */
@Command(name = "jvm-flags", description = "print the JVM flags Flink and the Vector API need, on one line",
        mixinStandardHelpOptions = true)
public final class JvmFlags implements Callable<Integer> {
    private static final String RESOURCE = "/flink-hnsw-jvm.properties";
    public static final String VECTOR_MODULE = "jdk.incubator.vector";

    @Spec
    CommandSpec spec;

    /** All flags, e.g. {@code --add-modules=jdk.incubator.vector}, {@code --add-opens=java.base/java.lang=ALL-UNNAMED}. */
    public static List<String> all() {
        return List.of(buildProperty("flags").split("\\s+"));
    }

    /** A value Maven filtered into the resource at build time: {@code flags} or {@code version}. */
    static String buildProperty(String name) {
        try (InputStream in = JvmFlags.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " missing from the classpath (build with Maven)");
            }
            Properties p = new Properties();
            p.load(in);
            String value = p.getProperty(name, "").trim();
            if (value.isEmpty() || value.startsWith("${")) {
                throw new IllegalStateException(RESOURCE + " was not filtered by Maven: " + name + "=" + value);
            }
            return value;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** True when this JVM runs with the Vector API module resolved. */
    public static boolean vectorModulePresent() {
        return ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
    }

    @Override
    public Integer call() {
        spec.commandLine().getOut().println(String.join(" ", all()));
        return Cli.OK;
    }
}
