package io.flinkhnsw.operators;

import io.flinkhnsw.filter.FilterFields;
import io.flinkhnsw.hnsw.HnswConfig;
import io.flinkhnsw.hnsw.KeyIndex;
import io.flinkhnsw.hnsw.Limits;
import io.flinkhnsw.vector.Metric;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Per-job settings of {@link HnswIndexFunction}: the HNSW parameters new keys are created with and
 * the most vectors a key may hold, both overridable per key prefix (the longest matching prefix
 * wins; what it leaves out takes the job's value); the index memory budget of a subtask (the
 * working copies of its keys on the heap, least recently used keys evicted beyond it); how many
 * bytes of changes a subtask may hold before writing them to state ahead of the next checkpoint;
 * the input limits its {@link EventValidator} applies; and the size at which a key becomes a graph. A
 * key's HNSW parameters are fixed when it is created: they live in its state, so changing them later
 * affects only new keys. See docs/ARCHITECTURE.md, "The keyed operator".
 */
public final class IndexSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final long DEFAULT_WRITE_BUFFER_BYTES = 32L << 20;
    /** Share of the JVM's maximum heap that the default index memory takes, divided by the TaskManager's slots. */
    public static final double DEFAULT_HEAP_FRACTION = 1.0 / 3;

    /** Most shards one key may be split into. */
    public static final int MAX_SHARDS = 64;

    /**
     * The parameters, vector limit, filterable payload fields and shard count for keys under one
     * prefix; maxVectors 0, filterFields null and shards 0 = the job's.
     */
    public record KeyOverride(HnswConfig config, long maxVectors, FilterFields filterFields, int shards)
            implements Serializable {
        public KeyOverride {
            checkShards(shards, 0);
        }

        public KeyOverride(HnswConfig config, long maxVectors, FilterFields filterFields) {
            this(config, maxVectors, filterFields, 0);
        }

        public KeyOverride(HnswConfig config, long maxVectors) {
            this(config, maxVectors, null);
        }

        public KeyOverride withConfig(HnswConfig c) {
            return new KeyOverride(c, maxVectors, filterFields, shards);
        }

        public KeyOverride withMaxVectors(long n) {
            return new KeyOverride(config, n, filterFields, shards);
        }

        public KeyOverride withFilterFields(FilterFields f) {
            return new KeyOverride(config, maxVectors, f, shards);
        }

        public KeyOverride withShards(int n) {
            checkShards(n, 1);
            return new KeyOverride(config, maxVectors, filterFields, n);
        }
    }

    private static void checkShards(int n, int min) {
        if (n < min || n > MAX_SHARDS) {
            throw new IllegalArgumentException("shards must be in " + Math.max(1, min) + ".." + MAX_SHARDS + ", got " + n);
        }
    }

    private final HnswConfig defaultConfig;
    private final LinkedHashMap<String, KeyOverride> prefixOverrides;
    private final long indexMemoryBytes;
    private final long writeBufferBytes;
    private final long maxVectorsPerKey;
    private final int maxPayloadBytes;
    private final int maxEf;
    private final int flatLimit;
    private final FilterFields filterFields;
    private final int shards;

    private IndexSettings(Builder b) {
        this.defaultConfig = b.defaultConfig;
        this.prefixOverrides = new LinkedHashMap<>(b.prefixOverrides);
        this.indexMemoryBytes = b.indexMemoryBytes;
        this.writeBufferBytes = b.writeBufferBytes;
        this.maxVectorsPerKey = b.maxVectorsPerKey;
        this.maxPayloadBytes = b.maxPayloadBytes;
        this.maxEf = b.maxEf;
        this.flatLimit = b.flatLimit;
        this.filterFields = b.filterFields;
        this.shards = b.shards;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Settings with {@code config} for every key and the default limits. */
    public static IndexSettings of(HnswConfig config) {
        return builder().defaultConfig(config).build();
    }

    /** The parameters a new index for {@code key} is created with. */
    public HnswConfig configFor(String key) {
        KeyOverride o = overrideFor(key);
        return o == null ? defaultConfig : o.config();
    }

    /** The most vectors {@code key} may hold as configured, 0 when it follows from the memory budget. */
    public long maxVectorsFor(String key) {
        KeyOverride o = overrideFor(key);
        return o != null && o.maxVectors() > 0 ? o.maxVectors() : maxVectorsPerKey;
    }

    /** The payload fields {@code key} may be filtered on (and so keeps a field index for); may be empty. */
    public FilterFields filterFieldsFor(String key) {
        KeyOverride o = overrideFor(key);
        return o != null && o.filterFields() != null ? o.filterFields() : filterFields;
    }

    /**
     * How many shards a new index of {@code key} is split into (1 = not sharded). Only a key's
     * creation reads it: a sharded key records its count, see {@link ShardRouterFunction}.
     */
    public int shardsFor(String key) {
        KeyOverride o = overrideFor(key);
        return o != null && o.shards() > 0 ? o.shards() : shards;
    }

    /** The job's shard count for keys no prefix overrides. */
    public int shards() {
        return shards;
    }

    private KeyOverride overrideFor(String key) {
        KeyOverride best = null;
        int bestLength = -1;
        for (Map.Entry<String, KeyOverride> e : prefixOverrides.entrySet()) {
            String prefix = e.getKey();
            if (prefix.length() > bestLength && key.startsWith(prefix)) {
                best = e.getValue();
                bestLength = prefix.length();
            }
        }
        return best;
    }

    public HnswConfig defaultConfig() {
        return defaultConfig;
    }

    public Map<String, KeyOverride> prefixOverrides() {
        return Collections.unmodifiableMap(prefixOverrides);
    }

    /** The index memory budget of one subtask in bytes; 0 = {@link #defaultIndexMemory}. */
    public long indexMemoryBytes() {
        return indexMemoryBytes;
    }

    /**
     * The default budget: {@value #DEFAULT_HEAP_FRACTION} of the JVM's maximum heap divided by the
     * TaskManager's slots, which leaves the rest of the heap to Flink, transient allocations and the
     * garbage collector's headroom.
     */
    public static long defaultIndexMemory(long maxHeapBytes, int slots) {
        return (long) (maxHeapBytes * DEFAULT_HEAP_FRACTION / Math.max(1, slots));
    }

    /**
     * The bound on the direct memory of a subtask's int8 graphs (their full-precision vectors): the
     * heap budget, but at most half the JVM's direct-memory limit divided by the slots, since Flink
     * caps direct memory (framework, task off-heap and network memory) and its network buffers
     * share it.
     */
    public static long offHeapIndexMemory(long heapBudget, long maxDirectBytes, int slots) {
        return Math.min(heapBudget, maxDirectBytes / 2 / Math.max(1, slots));
    }

    /** The JVM's direct-memory limit: -XX:MaxDirectMemorySize, or the maximum heap when it is not set. */
    public static long maxDirectMemory() {
        com.sun.management.HotSpotDiagnosticMXBean vm = java.lang.management.ManagementFactory
                .getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
        long configured = vm == null ? 0 : Long.parseLong(vm.getVMOption("MaxDirectMemorySize").getValue());
        return configured > 0 ? configured : Runtime.getRuntime().maxMemory();
    }

    /**
     * With write-back ({@link HnswIndexOperator}): the estimated bytes of changes a subtask may hold
     * across its keys before writing them to keyed state ahead of the next checkpoint. Bounds the
     * work of the flush at a checkpoint barrier when checkpoints are rare or off.
     */
    public long writeBufferBytes() {
        return writeBufferBytes;
    }

    /** The most vectors a key may hold unless its prefix says otherwise; 0 = what fits the budget. */
    public long maxVectorsPerKey() {
        return maxVectorsPerKey;
    }

    public int maxPayloadBytes() {
        return maxPayloadBytes;
    }

    /** The largest ef a query may ask for. */
    public int maxEf() {
        return maxEf;
    }

    /** The checks every event passes before it reaches an index, with these settings' limits. */
    public EventValidator validator() {
        return new EventValidator(maxEf, maxPayloadBytes, this::filterFieldsFor);
    }

    /** The size at which a key becomes a graph; 0 = {@link KeyIndex#defaultFlatLimit}, by dimension. */
    public int flatLimit() {
        return flatLimit;
    }

    @Override
    public String toString() {
        return "IndexSettings{default=" + defaultConfig + ", overrides=" + prefixOverrides
                + ", indexMemoryBytes=" + indexMemoryBytes + ", writeBufferBytes=" + writeBufferBytes
                + ", maxVectorsPerKey=" + maxVectorsPerKey + ", maxPayloadBytes=" + maxPayloadBytes
                + ", maxEf=" + maxEf + ", flatLimit=" + flatLimit + ", shards=" + shards + "}";
    }

    /** Builds {@link IndexSettings}; starts from {@code HnswConfig.defaults(L2)}. */
    public static final class Builder {
        private HnswConfig defaultConfig = HnswConfig.defaults(Metric.L2);
        private final LinkedHashMap<String, KeyOverride> prefixOverrides = new LinkedHashMap<>();
        private long indexMemoryBytes;
        private long writeBufferBytes = DEFAULT_WRITE_BUFFER_BYTES;
        private long maxVectorsPerKey;
        private int maxPayloadBytes = Limits.DEFAULT_MAX_PAYLOAD_BYTES;
        private int maxEf = Limits.DEFAULT_MAX_EF;
        private int flatLimit;
        private FilterFields filterFields = FilterFields.NONE;
        private int shards = 1;

        private Builder() {
        }

        public Builder defaultConfig(HnswConfig config) {
            this.defaultConfig = Objects.requireNonNull(config, "config");
            return this;
        }

        /** Keys starting with {@code prefix} get {@code config}; the longest matching prefix wins. */
        public Builder override(String prefix, HnswConfig config) {
            return override(prefix, config, 0);
        }

        /** As {@link #override(String, HnswConfig)}, and such keys hold at most {@code maxVectors} (0 = the job's limit). */
        public Builder override(String prefix, HnswConfig config, long maxVectors) {
            return override(prefix, config, maxVectors, null);
        }

        /** As {@link #override(String, HnswConfig, long)}, and such keys are filterable on {@code filterFields} (null = the job's). */
        public Builder override(String prefix, HnswConfig config, long maxVectors, FilterFields filterFields) {
            return override(prefix, new KeyOverride(Objects.requireNonNull(config, "config"), maxVectors, filterFields));
        }

        /** Keys starting with {@code prefix} get {@code o}; the longest matching prefix wins. */
        public Builder override(String prefix, KeyOverride o) {
            if (o.maxVectors() < 0) {
                throw new IllegalArgumentException("max vectors must be >= 0, got " + o.maxVectors());
            }
            prefixOverrides.put(Objects.requireNonNull(prefix, "prefix"), o);
            return this;
        }

        /** How many shards new keys are split into unless their prefix says otherwise (1 = none). */
        public Builder shards(int n) {
            checkShards(n, 1);
            this.shards = n;
            return this;
        }

        /** The payload fields every key may be filtered on, unless its prefix says otherwise. */
        public Builder filterFields(FilterFields fields) {
            this.filterFields = Objects.requireNonNull(fields, "fields");
            return this;
        }

        /** The index memory budget per subtask, in bytes; 0 = derived from the heap. */
        public Builder indexMemoryBytes(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("index memory must be >= 0 bytes, got " + bytes);
            }
            this.indexMemoryBytes = bytes;
            return this;
        }

        public Builder writeBufferBytes(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("write buffer must be >= 1 byte, got " + bytes);
            }
            this.writeBufferBytes = bytes;
            return this;
        }

        /** The most vectors per key; 0 = as many as fit the index memory budget. */
        public Builder maxVectorsPerKey(long n) {
            if (n < 0) {
                throw new IllegalArgumentException("max vectors per key must be >= 0, got " + n);
            }
            this.maxVectorsPerKey = n;
            return this;
        }

        public Builder maxPayloadBytes(int n) {
            if (n < 2) {
                throw new IllegalArgumentException("max payload bytes must be >= 2, got " + n);
            }
            this.maxPayloadBytes = n;
            return this;
        }

        public Builder maxEf(int n) {
            if (n < 1 || n > Limits.MAX_EF) {
                throw new IllegalArgumentException("max ef must be in 1.." + Limits.MAX_EF + ", got " + n);
            }
            this.maxEf = n;
            return this;
        }

        /** The size at which a key becomes a graph; 0 = by dimension (measured default). */
        public Builder flatLimit(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("flat limit must be >= 0, got " + n);
            }
            this.flatLimit = n;
            return this;
        }

        public IndexSettings build() {
            return new IndexSettings(this);
        }
    }
}
