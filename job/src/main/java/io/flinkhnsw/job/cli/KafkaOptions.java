package io.flinkhnsw.job.cli;

import io.flinkhnsw.job.kafka.KafkaClientConfig;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The Kafka connection options shared by every command that talks to Kafka: the bootstrap servers
 * and client properties (TLS, SASL, compression, tuning) from a properties file and from repeatable
 * {@code --kafka-property} options, which win over the file. {@code --bootstrap-servers} and
 * {@code --group-id} win over {@code bootstrap.servers} and {@code group.id} properties; properties
 * the job owns ({@link KafkaClientConfig#OWNED}) are refused.
 */
public final class KafkaOptions {
    static final String BOOTSTRAP = "bootstrap.servers";
    static final String GROUP = "group.id";

    @Option(names = "--bootstrap-servers", paramLabel = "HOSTS",
            description = "Kafka bootstrap servers (default: bootstrap.servers of the Kafka properties, else "
                    + "localhost:9092; local starts a broker of its own)")
    String bootstrapServers;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE",
            description = "a client property for every Kafka client, e.g. security.protocol=SASL_SSL; repeatable, "
                    + "wins over --kafka-properties")
    Map<String, String> properties;

    @Option(names = "--kafka-properties", paramLabel = "FILE",
            description = "Kafka client properties file (java.util.Properties format), e.g. TLS and SASL settings")
    Path file;

    /** The file's properties, then the {@code --kafka-property} ones, checked against what the job owns. */
    Map<String, String> all() {
        Map<String, String> all = new LinkedHashMap<>();
        if (file != null) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (IOException e) {
                throw new IllegalArgumentException("--kafka-properties " + file + ": " + e.getMessage(), e);
            }
            p.stringPropertyNames().forEach(k -> all.put(k, p.getProperty(k).trim()));
        }
        if (properties != null) {
            all.putAll(properties);
        }
        return all;
    }

    /** {@code --bootstrap-servers}, else a {@code bootstrap.servers} property, else {@code fallback} (may be null). */
    public String bootstrapServers(String fallback) {
        return bootstrapServers != null ? bootstrapServers : all().getOrDefault(BOOTSTRAP, fallback);
    }

    /** The group id: {@code flag} when given on the command line, else a {@code group.id} property, else {@code flag}. */
    String groupId(String flag, boolean flagGiven) {
        return flagGiven ? flag : all().getOrDefault(GROUP, flag);
    }

    /** The client properties without those resolved into options (bootstrap.servers, group.id). */
    public Map<String, String> clientProperties() {
        Map<String, String> p = all();
        p.remove(BOOTSTRAP);
        p.remove(GROUP);
        return p;
    }

    /** Every client's settings; {@code fallbackBootstrap} when neither option nor property names servers. */
    public KafkaClientConfig client(String fallbackBootstrap) {
        return KafkaClientConfig.of(bootstrapServers(fallbackBootstrap), clientProperties());
    }
}
