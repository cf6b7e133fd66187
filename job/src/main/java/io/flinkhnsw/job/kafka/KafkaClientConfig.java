package io.flinkhnsw.job.kafka;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Where and how every Kafka client of the job and the tools connects: the bootstrap servers and the
 * user's client properties (TLS, SASL, compression, tuning), applied to every source, sink,
 * producer, consumer and admin client. Settings the delivery guarantees depend on ({@link #OWNED})
 * are refused; the job sets them itself. {@link #toString()} masks secrets. Immutable.
 */
public final class KafkaClientConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Properties the job sets itself, with the reason a user may not: refused when given. */
    public static final Map<String, String> OWNED;

    static {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("isolation.level", "inputs and outputs are read with read_committed");
        m.put("transactional.id", "the sink names its transactions after --group-id");
        m.put("enable.idempotence", "producers are idempotent, so a retry never duplicates an event");
        m.put("acks", "writes wait for all in-sync replicas (acks=all), which idempotence needs");
        m.put("transaction.timeout.ms", "use --transaction-timeout-ms");
        m.put("enable.auto.commit", "the job commits source offsets with its checkpoints");
        m.put("auto.offset.reset", "the job starts from the group's committed offsets, the earliest for a new group");
        for (String s : new String[] {"key.serializer", "value.serializer", "key.deserializer", "value.deserializer"}) {
            m.put(s, "records are bytes; the job encodes and decodes them itself");
        }
        OWNED = Collections.unmodifiableMap(m);
    }

    /** Substrings of property names whose values are never shown. */
    private static final String[] SECRET_MARKERS = {"password", "secret", "jaas", "token", "key", "credential"};

    private final String bootstrapServers;
    private final TreeMap<String, String> properties;

    private KafkaClientConfig(String bootstrapServers, Map<String, String> properties) {
        this.bootstrapServers = bootstrapServers;
        this.properties = new TreeMap<>(properties);
    }

    /**
     * @param properties client properties other than {@code bootstrap.servers} and {@code group.id}
     *                   (those have their own options)
     * @throws IllegalArgumentException when a property is one the job owns
     */
    public static KafkaClientConfig of(String bootstrapServers, Map<String, String> properties) {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("no Kafka bootstrap servers given");
        }
        for (String key : properties.keySet()) {
            String reason = OWNED.get(key);
            if (reason != null) {
                throw new IllegalArgumentException("Kafka property " + key + " cannot be set: " + reason);
            }
            if (key.equals("bootstrap.servers") || key.equals("group.id")) {
                throw new IllegalArgumentException("Kafka property " + key + " is resolved before the client config");
            }
        }
        return new KafkaClientConfig(bootstrapServers, properties);
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The user's properties (without bootstrap.servers), sorted by name. */
    public Map<String, String> properties() {
        return Collections.unmodifiableMap(properties);
    }

    /**
     * A client's configuration: {@code defaults} (tuning the user may change), then the user's
     * properties, then {@code owned} (what the guarantees need) and the bootstrap servers.
     */
    public Map<String, Object> clientConfig(Map<String, ?> defaults, Map<String, ?> owned) {
        Map<String, Object> c = new LinkedHashMap<>(defaults);
        c.putAll(properties);
        c.putAll(owned);
        c.put("bootstrap.servers", bootstrapServers);
        return c;
    }

    /** {@link #clientConfig} as {@link Properties}, for the Flink connector builders. */
    public Properties clientProperties(Map<String, ?> defaults, Map<String, ?> owned) {
        Properties p = new Properties();
        p.putAll(clientConfig(defaults, owned));
        return p;
    }

    /** True for property names whose values are secrets (passwords, JAAS configs, tokens, keys). */
    public static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        for (String marker : SECRET_MARKERS) {
            if (k.contains(marker)) {
                return true;
            }
        }
        return false;
    }

    /** {@code name=value} pairs with secret values masked, for logs and progress lines. */
    public static String describe(Map<String, String> properties) {
        StringBuilder sb = new StringBuilder();
        new TreeMap<>(properties).forEach((k, v) ->
                sb.append(sb.length() == 0 ? "" : ", ").append(k).append('=').append(isSecret(k) ? "****" : v));
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KafkaClientConfig c && c.bootstrapServers.equals(bootstrapServers)
                && c.properties.equals(properties);
    }

    @Override
    public int hashCode() {
        return bootstrapServers.hashCode() * 31 + properties.hashCode();
    }

    @Override
    public String toString() {
        return "bootstrap.servers=" + bootstrapServers + (properties.isEmpty() ? "" : ", " + describe(properties));
    }
}
