package io.flinkhnsw.job;

import io.flinkhnsw.filter.FilterFields;
import io.flinkhnsw.hnsw.HnswConfig;
import io.flinkhnsw.hnsw.Limits;
import io.flinkhnsw.job.kafka.KafkaClientConfig;
import io.flinkhnsw.operators.IndexSettings;
import io.flinkhnsw.vector.Metric;
import org.apache.flink.connector.base.DeliveryGuarantee;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the Kafka job is configured with: where to read and write (the Kafka client settings
 * included), the delivery guarantee, the index parameters, input limits, parallelism and
 * checkpointing. Immutable; made with {@link #builder()} or from the command line by
 * {@link io.flinkhnsw.job.cli.JobOptions}. Defaults are the ones documented in the README.
 */
public final class JobConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final String DEFAULT_BOOTSTRAP_SERVERS = "localhost:9092";
    public static final String DEFAULT_EVENTS_TOPIC = "hnsw-events";
    public static final String DEFAULT_RESULTS_TOPIC = "hnsw-results";
    public static final String DEFAULT_DEAD_LETTER_TOPIC = "hnsw-dead-letters";
    public static final String DEFAULT_UPDATES_TOPIC = "hnsw-updates";

    /** Bootstrap servers and client properties of every Kafka client the job makes. */
    public final KafkaClientConfig kafka;
    public final String eventsTopic;
    /** Optional second input topic for queries only; null when queries share the events topic. */
    public final String queriesTopic;
    public final String resultsTopic;
    public final String deadLetterTopic;
    /** The standing queries' updates, record key = subscriptionId. */
    public final String updatesTopic;
    public final String groupId;
    public final DeliveryGuarantee delivery;
    public final HnswConfig hnsw;
    /**
     * HNSW parameters and vector limit for keys starting with a prefix (longest prefix wins); the
     * parameters are fixed when a key's index is created.
     */
    public final Map<String, IndexSettings.KeyOverride> keyOverrides;
    /** Index memory budget per subtask in bytes; 0 = a third of the JVM heap divided by the TaskManager's slots. */
    public final long indexMemoryBytes;
    /** Bytes of changes a subtask may hold before writing them to state ahead of a checkpoint. */
    public final long writeBufferBytes;
    /** The most vectors per key; 0 = as many as fit the index memory. */
    public final long maxVectorsPerKey;
    public final int maxPayloadBytes;
    /** Payload fields queries may filter on, for keys whose prefix does not declare its own. */
    public final FilterFields filterFields;
    public final int parallelism;
    /** Shards new keys are split into unless their prefix says otherwise (1 = none). */
    public final int shards;
    public final long checkpointIntervalMs;
    public final int maxMessageBytes;
    public final int maxEf;
    public final long transactionTimeoutMs;
    /** Fail the job once after this many decoded events; 0 = never (tests and demos only). */
    public final long injectFailureAfter;

    private JobConfig(Builder b) {
        this.kafka = KafkaClientConfig.of(b.bootstrapServers, b.kafkaProperties);
        this.eventsTopic = Objects.requireNonNull(b.eventsTopic);
        this.queriesTopic = b.queriesTopic;
        this.resultsTopic = Objects.requireNonNull(b.resultsTopic);
        this.deadLetterTopic = Objects.requireNonNull(b.deadLetterTopic);
        this.updatesTopic = Objects.requireNonNull(b.updatesTopic);
        this.groupId = Objects.requireNonNull(b.groupId);
        this.delivery = Objects.requireNonNull(b.delivery);
        this.hnsw = Objects.requireNonNull(b.hnsw);
        this.keyOverrides = Collections.unmodifiableMap(new LinkedHashMap<>(b.keyOverrides));
        this.indexMemoryBytes = b.indexMemoryBytes;
        this.writeBufferBytes = b.writeBufferBytes;
        this.maxVectorsPerKey = b.maxVectorsPerKey;
        this.maxPayloadBytes = b.maxPayloadBytes;
        this.filterFields = Objects.requireNonNull(b.filterFields);
        this.parallelism = b.parallelism;
        this.shards = b.shards;
        this.checkpointIntervalMs = b.checkpointIntervalMs;
        this.maxMessageBytes = b.maxMessageBytes;
        this.maxEf = b.maxEf;
        this.transactionTimeoutMs = b.transactionTimeoutMs;
        this.injectFailureAfter = b.injectFailureAfter;
        if (delivery == DeliveryGuarantee.EXACTLY_ONCE && checkpointIntervalMs <= 0) {
            throw new IllegalArgumentException("exactly-once needs checkpoints (--checkpoint-interval-ms > 0)");
        }
        if (shards < 1 || shards > IndexSettings.MAX_SHARDS) {
            throw new IllegalArgumentException("--shards must be in 1.." + IndexSettings.MAX_SHARDS);
        }
        if (maxMessageBytes < 64) {
            throw new IllegalArgumentException("--max-message-bytes must be at least 64");
        }
        if (maxEf < 1 || maxEf > Limits.MAX_EF) {
            throw new IllegalArgumentException("--max-ef must be in 1.." + Limits.MAX_EF);
        }
        if (indexMemoryBytes < 0 || writeBufferBytes < 1 || maxVectorsPerKey < 0) {
            throw new IllegalArgumentException("--index-memory and --max-vectors-per-key must be >= 0, --write-buffer > 0");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The index operator's settings: default parameters, per-prefix overrides, memory and input limits. */
    public IndexSettings indexSettings() {
        IndexSettings.Builder b = IndexSettings.builder().defaultConfig(hnsw).indexMemoryBytes(indexMemoryBytes)
                .writeBufferBytes(writeBufferBytes).maxVectorsPerKey(maxVectorsPerKey)
                .maxPayloadBytes(maxPayloadBytes).maxEf(maxEf).filterFields(filterFields).shards(shards);
        keyOverrides.forEach(b::override);
        return b.build();
    }

    public Builder toBuilder() {
        return new Builder().bootstrapServers(kafka.bootstrapServers()).kafkaProperties(kafka.properties())
                .eventsTopic(eventsTopic).queriesTopic(queriesTopic)
                .resultsTopic(resultsTopic).deadLetterTopic(deadLetterTopic).updatesTopic(updatesTopic)
                .groupId(groupId).delivery(delivery).hnsw(hnsw).keyOverrides(keyOverrides).indexMemoryBytes(indexMemoryBytes)
                .writeBufferBytes(writeBufferBytes).maxVectorsPerKey(maxVectorsPerKey).maxPayloadBytes(maxPayloadBytes)
                .filterFields(filterFields).parallelism(parallelism).shards(shards).checkpointIntervalMs(checkpointIntervalMs)
                .maxMessageBytes(maxMessageBytes).maxEf(maxEf).transactionTimeoutMs(transactionTimeoutMs)
                .injectFailureAfter(injectFailureAfter);
    }

    /** exactly-once or at-least-once (case and _ or - do not matter). */
    public static DeliveryGuarantee parseDelivery(String s) {
        switch (s.trim().toLowerCase(java.util.Locale.ROOT).replace('_', '-')) {
            case "exactly-once": return DeliveryGuarantee.EXACTLY_ONCE;
            case "at-least-once": return DeliveryGuarantee.AT_LEAST_ONCE;
            default: throw new IllegalArgumentException("--delivery must be exactly-once or at-least-once, got '" + s + "'");
        }
    }

    /** The delivery guarantee as the command line spells it. */
    public static String deliveryName(DeliveryGuarantee d) {
        return d.toString().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    @Override
    public String toString() {
        return "JobConfig{kafka: " + kafka + ", topics: " + eventsTopic + (queriesTopic == null ? "" : " + " + queriesTopic)
 + " -> " + resultsTopic + " / " + deadLetterTopic + " / " + updatesTopic + ", group " + groupId + ", " + deliveryName(delivery)
                + ", " + hnsw + ", keyOverrides=" + keyOverrides + ", indexMemoryBytes=" + indexMemoryBytes
                + ", writeBufferBytes=" + writeBufferBytes + ", maxVectorsPerKey=" + maxVectorsPerKey
                + ", maxPayloadBytes=" + maxPayloadBytes + ", filterFields=" + filterFields + ", parallelism=" + parallelism + ", shards=" + shards + ", checkpointIntervalMs="
                + checkpointIntervalMs + ", maxMessageBytes=" + maxMessageBytes + ", maxEf=" + maxEf
                + ", transactionTimeoutMs=" + transactionTimeoutMs + "}";
    }

    /** Builder with the documented defaults. */
    public static final class Builder {
        private String bootstrapServers = DEFAULT_BOOTSTRAP_SERVERS;
        private Map<String, String> kafkaProperties = Map.of();
        private String eventsTopic = DEFAULT_EVENTS_TOPIC;
        private String queriesTopic;
        private String resultsTopic = DEFAULT_RESULTS_TOPIC;
        private String deadLetterTopic = DEFAULT_DEAD_LETTER_TOPIC;
        private String updatesTopic = DEFAULT_UPDATES_TOPIC;
        private String groupId = "flink-hnsw";
        private DeliveryGuarantee delivery = DeliveryGuarantee.EXACTLY_ONCE;
        private HnswConfig hnsw = HnswConfig.defaults(Metric.L2);
        private Map<String, IndexSettings.KeyOverride> keyOverrides = Map.of();
        private long indexMemoryBytes;
        private long writeBufferBytes = IndexSettings.DEFAULT_WRITE_BUFFER_BYTES;
        private long maxVectorsPerKey;
        private int maxPayloadBytes = Limits.DEFAULT_MAX_PAYLOAD_BYTES;
        private FilterFields filterFields = FilterFields.NONE;
        private int parallelism;
        private int shards = 1;
        private long checkpointIntervalMs = 5_000;
        private int maxMessageBytes = Limits.DEFAULT_MAX_MESSAGE_BYTES;
        private int maxEf = Limits.DEFAULT_MAX_EF;
        private long transactionTimeoutMs = 600_000;
        private long injectFailureAfter;

        public Builder bootstrapServers(String v) { bootstrapServers = v; return this; }
        /** Kafka client properties for every client (TLS, SASL, tuning); see {@link KafkaClientConfig}. */
        public Builder kafkaProperties(Map<String, String> v) { kafkaProperties = v; return this; }
        public Builder eventsTopic(String v) { eventsTopic = v; return this; }
        public Builder queriesTopic(String v) { queriesTopic = v == null || v.isBlank() ? null : v; return this; }
        public Builder resultsTopic(String v) { resultsTopic = v; return this; }
        public Builder deadLetterTopic(String v) { deadLetterTopic = v; return this; }
        public Builder updatesTopic(String v) { updatesTopic = v; return this; }
        public Builder groupId(String v) { groupId = v; return this; }
        public Builder delivery(DeliveryGuarantee v) { delivery = v; return this; }
        public Builder hnsw(HnswConfig v) { hnsw = v; return this; }
        public Builder keyOverrides(Map<String, IndexSettings.KeyOverride> v) { keyOverrides = v; return this; }
        /** 0 = a third of the heap divided by the TaskManager's slots ({@link IndexSettings#defaultIndexMemory}). */
        public Builder indexMemoryBytes(long v) { indexMemoryBytes = v; return this; }
        public Builder writeBufferBytes(long v) { writeBufferBytes = v; return this; }
        /** 0 = as many as fit the index memory. */
        public Builder maxVectorsPerKey(long v) { maxVectorsPerKey = v; return this; }
        public Builder maxPayloadBytes(int v) { maxPayloadBytes = v; return this; }
        public Builder filterFields(FilterFields v) { filterFields = v; return this; }
        public Builder parallelism(int v) { parallelism = v; return this; }
        public Builder shards(int v) { shards = v; return this; }
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
