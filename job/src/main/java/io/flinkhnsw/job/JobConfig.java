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
    public final int maxCachedKeys;
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
        this.maxCachedKeys = b.maxCachedKeys;
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
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The index operator's settings: default parameters, per-prefix overrides, cache and payload limits. */
    public IndexSettings indexSettings() {
        IndexSettings.Builder b = IndexSettings.builder().defaultConfig(hnsw)
                .maxCachedKeys(maxCachedKeys).maxPayloadBytes(maxPayloadBytes);
        keyOverrides.forEach(b::override);
        return b.build();
    }

    public Builder toBuilder() {
        return new Builder().bootstrapServers(bootstrapServers).eventsTopic(eventsTopic).queriesTopic(queriesTopic)
                .resultsTopic(resultsTopic).deadLetterTopic(deadLetterTopic).groupId(groupId).delivery(delivery)
                .hnsw(hnsw).keyOverrides(keyOverrides).maxCachedKeys(maxCachedKeys).maxPayloadBytes(maxPayloadBytes)
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
                .maxCachedKeys(args.getInt("max-cached-keys", d.maxCachedKeys))
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
     * from {@code base} (metric, m, ef-construction, ef, seed).
     */
    static Map<String, HnswConfig> parseOverrides(String spec, HnswConfig base, Map<String, HnswConfig> def) {
        if (spec == null || spec.isBlank()) return def;
        Map<String, HnswConfig> out = new LinkedHashMap<>();
        for (String entry : spec.split(";")) {
            int colon = entry.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("--key-overrides entry '" + entry + "' is not PREFIX:name=value,...");
            }
            HnswConfig c = base;
            for (String kv : entry.substring(colon + 1).split(",")) {
                String[] p = kv.split("=", 2);
                if (p.length != 2) throw new IllegalArgumentException("--key-overrides: '" + kv + "' is not name=value");
                String v = p[1].trim();
                switch (p[0].trim()) {
                    case "metric": c = c.withMetric(Metric.parse(v)); break;
                    case "m": c = c.withM(Integer.parseInt(v)); break;
                    case "ef-construction": c = c.withEfConstruction(Integer.parseInt(v)); break;
                    case "ef": c = c.withDefaultEf(Integer.parseInt(v)); break;
                    case "seed": c = c.withSeed(Long.parseLong(v)); break;
                    default: throw new IllegalArgumentException("--key-overrides: unknown parameter '" + p[0]
                            + "' (metric, m, ef-construction, ef, seed)");
                }
            }
            out.put(entry.substring(0, colon), c);
        }
        return out;
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
                "  --key-overrides SPEC         per key prefix, e.g. 'img-:metric=cosine,m=32;big-:ef=128' (none)",
                "  --max-cached-keys N          key graphs a subtask keeps in memory (" + d.maxCachedKeys + ")",
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
        private int maxCachedKeys = IndexSettings.DEFAULT_MAX_CACHED_KEYS;
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
        public Builder maxCachedKeys(int v) { maxCachedKeys = v; return this; }
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
