package io.flinkhnsw.operators;

import io.flinkhnsw.hnsw.HnswConfig;
import io.flinkhnsw.hnsw.Limits;
import io.flinkhnsw.vector.Metric;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Per-job settings of {@link HnswIndexFunction}: the HNSW parameters new indexes are created with,
 * overridable per key prefix (the longest matching prefix wins), how many keys' graphs a subtask
 * keeps in memory, the input limits its {@link EventValidator} applies, and how many changed graph
 * entries a subtask may buffer before writing them to state. A key's parameters are fixed when its
 * index is created (they live in its state header). See docs/ARCHITECTURE.md, "The keyed operator".
 */
public final class IndexSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final int DEFAULT_MAX_CACHED_KEYS = 64;
    public static final int DEFAULT_MAX_BUFFERED_ENTRIES = 200_000;

    private final HnswConfig defaultConfig;
    private final LinkedHashMap<String, HnswConfig> prefixOverrides;
    private final int maxCachedKeys;
    private final int maxPayloadBytes;
    private final int maxEf;
    private final int maxBufferedEntries;

    private IndexSettings(Builder b) {
        this.defaultConfig = b.defaultConfig;
        this.prefixOverrides = new LinkedHashMap<>(b.prefixOverrides);
        this.maxCachedKeys = b.maxCachedKeys;
        this.maxPayloadBytes = b.maxPayloadBytes;
        this.maxEf = b.maxEf;
        this.maxBufferedEntries = b.maxBufferedEntries;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Settings with {@code config} for every key and default cache and payload limits. */
    public static IndexSettings of(HnswConfig config) {
        return builder().defaultConfig(config).build();
    }

    /** The parameters a new index for {@code key} is created with. */
    public HnswConfig configFor(String key) {
        HnswConfig best = defaultConfig;
        int bestLength = -1;
        for (Map.Entry<String, HnswConfig> e : prefixOverrides.entrySet()) {
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

    public Map<String, HnswConfig> prefixOverrides() {
        return java.util.Collections.unmodifiableMap(prefixOverrides);
    }

    public int maxCachedKeys() {
        return maxCachedKeys;
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
        return new EventValidator(maxEf, maxPayloadBytes);
    }

    /** Changed graph entries a subtask may buffer across all keys before writing them to keyed state. */
    public int maxBufferedEntries() {
        return maxBufferedEntries;
    }

    @Override
    public String toString() {
        return "IndexSettings{default=" + defaultConfig + ", overrides=" + prefixOverrides
                + ", maxCachedKeys=" + maxCachedKeys + ", maxPayloadBytes=" + maxPayloadBytes + ", maxEf=" + maxEf + ", maxBufferedEntries=" + maxBufferedEntries + "}";
    }

    /** Builds {@link IndexSettings}; starts from {@code HnswConfig.defaults(L2)}. */
    public static final class Builder {
        private HnswConfig defaultConfig = HnswConfig.defaults(Metric.L2);
        private final LinkedHashMap<String, HnswConfig> prefixOverrides = new LinkedHashMap<>();
        private int maxCachedKeys = DEFAULT_MAX_CACHED_KEYS;
        private int maxPayloadBytes = Limits.DEFAULT_MAX_PAYLOAD_BYTES;
        private int maxEf = Limits.DEFAULT_MAX_EF;
        private int maxBufferedEntries = DEFAULT_MAX_BUFFERED_ENTRIES;

        private Builder() {
        }

        public Builder defaultConfig(HnswConfig config) {
            this.defaultConfig = Objects.requireNonNull(config, "config");
            return this;
        }

        /** Keys starting with {@code prefix} get {@code config}; the longest matching prefix wins. */
        public Builder override(String prefix, HnswConfig config) {
            prefixOverrides.put(Objects.requireNonNull(prefix, "prefix"), Objects.requireNonNull(config, "config"));
            return this;
        }

        public Builder maxCachedKeys(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("max cached keys must be >= 1, got " + n);
            }
            this.maxCachedKeys = n;
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

        public Builder maxBufferedEntries(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("max buffered entries must be >= 1, got " + n);
            }
            this.maxBufferedEntries = n;
            return this;
        }

        public IndexSettings build() {
            return new IndexSettings(this);
        }
    }
}
