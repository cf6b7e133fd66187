package io.flinkhnsw.job;

import io.flinkhnsw.hnsw.HnswConfig;
import io.flinkhnsw.operators.IndexSettings;
import io.flinkhnsw.vector.Metric;
import org.apache.flink.connector.base.DeliveryGuarantee;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the Kafka job is configured with: where to read and write, the delivery guarantee,
 * the index parameters, input limits, parallelism and checkpointing. Immutable; made with
 * {@link #builder()} or parsed from the command line with {@link #fromArgs}. Defaults are the ones
 * documented in the README and printed by {@link #usage()}.
 */
public final class JobConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final String DEFAULT_EVENTS_TOPIC = "hnsw-events";
    public static final String DEFAULT_RESULTS_TOPIC = "hnsw-results";
    public static final String DEFAULT_DEAD_LETTER_TOPIC = "hnsw-dead-letters";

    public final String bootstrapServers;
    public final String eventsTopic;
    /** Optional second input topic for queries only; null when queries share the events topic. */
    public final String queriesTopic;
    public final String resultsTopic;
    public final String deadLetterTopic;
    public final String groupId;
    public final DeliveryGuarantee delivery;
    public final HnswConfig hnsw;
    /** HNSW parameters for keys starting with a prefix (longest prefix wins); fixed when a key's index is created. */
    public final Map<String, HnswConfig> keyOverrides;
    /** The most vectors per key for the prefixes of {@link #keyOverrides} that set one. */
    public final Map<String, Long> keyMaxVectors;
    /** Index memory budget per subtask in bytes; 0 = a third of the JVM heap divided by the TaskManager's slots. */
    public final long indexMemoryBytes;
    /** Bytes of changes a subtask may hold before writing them to state ahead of a checkpoint. */
    public final long writeBufferBytes;
    /** The most vectors per key; 0 = as many as fit the index memory. */
    public final long maxVectorsPerKey;
    public final int maxPayloadBytes;
    public final int parallelism;
    public final long checkpointIntervalMs;
    public final int maxMessageBytes;
    public final int maxEf;
    public final long transactionTimeoutMs;
    /** Fail the job once after this many decoded events; 0 = never (tests and demos only). */
    public final long injectFailureAfter;

    private JobConfig(Builder b) {
        this.bootstrapServers = Objects.requireNonNull(b.bootstrapServers);
        this.eventsTopic = Objects.requireNonNull(b.eventsTopic);
        this.queriesTopic = b.queriesTopic;
        this.resultsTopic = Objects.requireNonNull(b.resultsTopic);
        this.deadLetterTopic = Objects.requireNonNull(b.deadLetterTopic);
        this.groupId = Objects.requireNonNull(b.groupId);
        this.delivery = Objects.requireNonNull(b.delivery);
        this.hnsw = Objects.requireNonNull(b.hnsw);
        this.keyOverrides = Collections.unmodifiableMap(new LinkedHashMap<>(b.keyOverrides));
        this.keyMaxVectors = Collections.unmodifiableMap(new LinkedHashMap<>(b.keyMaxVectors));
        this.indexMemoryBytes = b.indexMemoryBytes;
        this.writeBufferBytes = b.writeBufferBytes;
        this.maxVectorsPerKey = b.maxVectorsPerKey;
        this.maxPayloadBytes = b.maxPayloadBytes;
        this.parallelism = b.parallelism;
        this.checkpointIntervalMs = b.checkpointIntervalMs;
        this.maxMessageBytes = b.maxMessageBytes;
        this.maxEf = b.maxEf;
        this.transactionTimeoutMs = b.transactionTimeoutMs;
        this.injectFailureAfter = b.injectFailureAfter;
        if (delivery == DeliveryGuarantee.EXACTLY_ONCE && checkpointIntervalMs <= 0) {
            throw new IllegalArgumentException("exactly-once needs checkpoints (--checkpoint-interval-ms > 0)");
        }
        if (maxMessageBytes < 64) {
            throw new IllegalArgumentException("--max-message-bytes must be at least 64");
        }
        if (maxEf < 1 || maxEf > HnswConfig.MAX_EF) {
            throw new IllegalArgumentException("--max-ef must be in 1.." + HnswConfig.MAX_EF);
        }
        if (indexMemoryBytes < 0 || writeBufferBytes < 1 || maxVectorsPerKey < 0) {
            throw new IllegalArgumentException("--index-memory and --max-vectors-per-key must be >= 0, --write-buffer > 0");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The index operator's settings: default parameters, per-prefix overrides, memory and size limits. */
    public IndexSettings indexSettings() {
        IndexSettings.Builder b = IndexSettings.builder().defaultConfig(hnsw).indexMemoryBytes(indexMemoryBytes)
                .writeBufferBytes(writeBufferBytes).maxVectorsPerKey(maxVectorsPerKey).maxPayloadBytes(maxPayloadBytes);
        keyOverrides.forEach((prefix, config) -> b.override(prefix, config, keyMaxVectors.getOrDefault(prefix, 0L)));
        return b.build();
    }

    public Builder toBuilder() {
        return new Builder().bootstrapServers(bootstrapServers).eventsTopic(eventsTopic).queriesTopic(queriesTopic)
                .resultsTopic(resultsTopic).deadLetterTopic(deadLetterTopic).groupId(groupId).delivery(delivery)
                .hnsw(hnsw).keyOverrides(keyOverrides).keyMaxVectors(keyMaxVectors).indexMemoryBytes(indexMemoryBytes)
                .writeBufferBytes(writeBufferBytes).maxVectorsPerKey(maxVectorsPerKey).maxPayloadBytes(maxPayloadBytes)
                .parallelism(parallelism).checkpointIntervalMs(checkpointIntervalMs)
                .maxMessageBytes(maxMessageBytes).maxEf(maxEf).transactionTimeoutMs(transactionTimeoutMs)
                .injectFailureAfter(injectFailureAfter);
    }

    /** Reads the job options from {@code args}, starting from {@code base}'s values. */
    public static Builder fromArgs(Args args, Builder base) {
        JobConfig d = base.build();
        HnswConfig h = d.hnsw;
        h = h.withMetric(Metric.parse(args.get("metric", h.metric().cliName())))
                .withM(args.getInt("m", h.m()))
                .withEfConstruction(args.getInt("ef-construction", h.efConstruction()))
                .withDefaultEf(args.getInt("ef", h.defaultEf()))
                .withSeed(args.getLong("seed", h.seed()));
        return base.bootstrapServers(args.get("bootstrap-servers", d.bootstrapServers))
                .eventsTopic(args.get("events-topic", d.eventsTopic))
                .queriesTopic(args.get("queries-topic", d.queriesTopic))
                .resultsTopic(args.get("results-topic", d.resultsTopic))
                .deadLetterTopic(args.get("dead-letter-topic", d.deadLetterTopic))
                .groupId(args.get("group-id", d.groupId))
                .delivery(parseDelivery(args.get("delivery", d.delivery == DeliveryGuarantee.EXACTLY_ONCE
                        ? "exactly-once" : "at-least-once")))
                .hnsw(h)
                .keyOverrides(parseOverrides(args.get("key-overrides", null), h, d.keyOverrides))
                .keyMaxVectors(parseMaxVectors(args.get("key-overrides", null), d.keyMaxVectors))
                .indexMemoryBytes(memorySize(args, "index-memory", d.indexMemoryBytes))
                .writeBufferBytes(memorySize(args, "write-buffer", d.writeBufferBytes))
                .maxVectorsPerKey(args.getLong("max-vectors-per-key", d.maxVectorsPerKey))
                .maxPayloadBytes(args.getInt("max-payload-bytes", d.maxPayloadBytes))
                .parallelism(args.getInt("parallelism", d.parallelism))
                .checkpointIntervalMs(args.getLong("checkpoint-interval-ms", d.checkpointIntervalMs))
                .maxMessageBytes(args.getInt("max-message-bytes", d.maxMessageBytes))
                .maxEf(args.getInt("max-ef", d.maxEf))
                .transactionTimeoutMs(args.getLong("transaction-timeout-ms", d.transactionTimeoutMs))
                .injectFailureAfter(args.getLong("inject-failure-after", d.injectFailureAfter));
    }

    /**
     * Parses {@code "shop-:m=32,ef=128;img-:metric=cosine"}: per key prefix, the parameters that differ
     * from {@code base} (metric, m, ef-construction, ef, seed); max-vectors is read by {@link #parseMaxVectors}.
     */
    static Map<String, HnswConfig> parseOverrides(String spec, HnswConfig base, Map<String, HnswConfig> def) {
        if (spec == null || spec.isBlank()) return def;
        Map<String, HnswConfig> out = new LinkedHashMap<>();
        for (String entry : spec.split(";")) {
            HnswConfig c = base;
            for (String[] p : overrideParameters(entry)) {
                String v = p[1];
                switch (p[0]) {
                    case "metric": c = c.withMetric(Metric.parse(v)); break;
                    case "m": c = c.withM(Integer.parseInt(v)); break;
                    case "ef-construction": c = c.withEfConstruction(Integer.parseInt(v)); break;
                    case "ef": c = c.withDefaultEf(Integer.parseInt(v)); break;
                    case "seed": c = c.withSeed(Long.parseLong(v)); break;
                    case "max-vectors": break;
                    default: throw new IllegalArgumentException("--key-overrides: unknown parameter '" + p[0]
                            + "' (metric, m, ef-construction, ef, seed, max-vectors)");
                }
            }
            out.put(entry.substring(0, entry.lastIndexOf(':')), c);
        }
        return out;
    }

    /** The {@code max-vectors=N} of each {@code --key-overrides} entry that has one. */
    static Map<String, Long> parseMaxVectors(String spec, Map<String, Long> def) {
        if (spec == null || spec.isBlank()) return def;
        Map<String, Long> out = new LinkedHashMap<>();
        for (String entry : spec.split(";")) {
            for (String[] p : overrideParameters(entry)) {
                if (p[0].equals("max-vectors")) {
                    long n = Long.parseLong(p[1]);
                    if (n < 1) {
                        throw new IllegalArgumentException("--key-overrides: max-vectors must be >= 1, got " + n);
                    }
                    out.put(entry.substring(0, entry.lastIndexOf(':')), n);
                }
            }
        }
        return out;
    }

    /** The name=value pairs of one {@code PREFIX:name=value,...} entry. */
    private static java.util.List<String[]> overrideParameters(String entry) {
        int colon = entry.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("--key-overrides entry '" + entry + "' is not PREFIX:name=value,...");
        }
        java.util.List<String[]> out = new java.util.ArrayList<>();
        for (String kv : entry.substring(colon + 1).split(",")) {
            String[] p = kv.split("=", 2);
            if (p.length != 2) throw new IllegalArgumentException("--key-overrides: '" + kv + "' is not name=value");
            out.add(new String[] {p[0].trim(), p[1].trim()});
        }
        return out;
    }

    /** A size option in Flink's memory-size syntax (bytes, or with a unit: 512k, 256m, 1g). */
    private static long memorySize(Args args, String name, long def) {
        String v = args.get(name, null);
        if (v == null) return def;
        try {
            return org.apache.flink.configuration.MemorySize.parse(v).getBytes();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--" + name + " needs a size like 512m or 2g, got '" + v + "'");
        }
    }

    static DeliveryGuarantee parseDelivery(String s) {
        switch (s.trim().toLowerCase(java.util.Locale.ROOT).replace('_', '-')) {
            case "exactly-once": return DeliveryGuarantee.EXACTLY_ONCE;
            case "at-least-once": return DeliveryGuarantee.AT_LEAST_ONCE;
            default: throw new IllegalArgumentException("--delivery must be exactly-once or at-least-once, got '" + s + "'");
        }
    }

    /** The job options and their defaults, for --help. */
    public static String usage() {
        JobConfig d = builder().build();
        return String.join("\n",
                "  --bootstrap-servers HOSTS    Kafka bootstrap servers (" + d.bootstrapServers + ")",
                "  --events-topic NAME          upserts, deletes and queries (" + d.eventsTopic + ")",
                "  --queries-topic NAME         optional separate topic for queries (none)",
                "  --results-topic NAME         query results (" + d.resultsTopic + ")",
                "  --dead-letter-topic NAME     rejected events with the reason (" + d.deadLetterTopic + ")",
                "  --group-id ID                consumer group (" + d.groupId + ")",
                "  --delivery MODE              exactly-once | at-least-once (exactly-once)",
                "  --metric l2|ip|cosine        distance (" + d.hnsw.metric().cliName() + ")",
                "  --m N                        HNSW links per node (" + d.hnsw.m() + ")",
                "  --ef-construction N          build beam width (" + d.hnsw.efConstruction() + ")",
                "  --ef N                       default query beam width (" + d.hnsw.defaultEf() + ")",
                "  --seed N                     level-draw seed (" + d.hnsw.seed() + ")",
                "  --key-overrides SPEC         per key prefix, e.g. 'img-:metric=cosine,m=32;big-:ef=128,max-vectors=5000000' (none)",
                "  --index-memory SIZE          heap for the keys' indexes per subtask, e.g. 512m, 2g (a third of the heap / slots)",
                "  --write-buffer SIZE          changes a subtask holds before writing them to state (" + (d.writeBufferBytes >> 20) + "m)",
                "  --max-vectors-per-key N      larger keys are refused, 0 = what fits --index-memory (" + d.maxVectorsPerKey + ")",
                "  --max-payload-bytes N        largest payload stored with a vector (" + d.maxPayloadBytes + ")",
                "  --parallelism N              operator parallelism, 0 = cluster default (" + d.parallelism + ")",
                "  --checkpoint-interval-ms N   checkpoint interval (" + d.checkpointIntervalMs + ")",
                "  --max-message-bytes N        larger events are dead-lettered (" + d.maxMessageBytes + ")",
                "  --max-ef N                   largest ef a query may ask for (" + d.maxEf + ")",
                "  --transaction-timeout-ms N   Kafka transaction timeout, exactly-once (" + d.transactionTimeoutMs + ")");
    }

    /** Builder with the documented defaults. */
    public static final class Builder {
        private String bootstrapServers = "localhost:9092";
        private String eventsTopic = DEFAULT_EVENTS_TOPIC;
        private String queriesTopic;
        private String resultsTopic = DEFAULT_RESULTS_TOPIC;
        private String deadLetterTopic = DEFAULT_DEAD_LETTER_TOPIC;
        private String groupId = "flink-hnsw";
        private DeliveryGuarantee delivery = DeliveryGuarantee.EXACTLY_ONCE;
        private HnswConfig hnsw = HnswConfig.defaults(Metric.L2);
        private Map<String, HnswConfig> keyOverrides = Map.of();
        private Map<String, Long> keyMaxVectors = Map.of();
        private long indexMemoryBytes;
        private long writeBufferBytes = IndexSettings.DEFAULT_WRITE_BUFFER_BYTES;
        private long maxVectorsPerKey;
        private int maxPayloadBytes = IndexSettings.DEFAULT_MAX_PAYLOAD_BYTES;
        private int parallelism;
        private long checkpointIntervalMs = 5_000;
        private int maxMessageBytes = 512 * 1024;
        private int maxEf = 10_000;
        private long transactionTimeoutMs = 600_000;
        private long injectFailureAfter;

        public Builder bootstrapServers(String v) { bootstrapServers = v; return this; }
        public Builder eventsTopic(String v) { eventsTopic = v; return this; }
        public Builder queriesTopic(String v) { queriesTopic = v == null || v.isBlank() ? null : v; return this; }
        public Builder resultsTopic(String v) { resultsTopic = v; return this; }
        public Builder deadLetterTopic(String v) { deadLetterTopic = v; return this; }
        public Builder groupId(String v) { groupId = v; return this; }
        public Builder delivery(DeliveryGuarantee v) { delivery = v; return this; }
        public Builder hnsw(HnswConfig v) { hnsw = v; return this; }
        public Builder keyOverrides(Map<String, HnswConfig> v) { keyOverrides = v; return this; }
        public Builder keyMaxVectors(Map<String, Long> v) { keyMaxVectors = v; return this; }
        public Builder indexMemoryBytes(long v) { indexMemoryBytes = v; return this; }
        public Builder writeBufferBytes(long v) { writeBufferBytes = v; return this; }
        public Builder maxVectorsPerKey(long v) { maxVectorsPerKey = v; return this; }
        public Builder maxPayloadBytes(int v) { maxPayloadBytes = v; return this; }
        public Builder parallelism(int v) { parallelism = v; return this; }
        public Builder checkpointIntervalMs(long v) { checkpointIntervalMs = v; return this; }
        public Builder maxMessageBytes(int v) { maxMessageBytes = v; return this; }
        public Builder maxEf(int v) { maxEf = v; return this; }
        public Builder transactionTimeoutMs(long v) { transactionTimeoutMs = v; return this; }
        public Builder injectFailureAfter(long v) { injectFailureAfter = v; return this; }

        public JobConfig build() {
            return new JobConfig(this);
        }
    }
}
