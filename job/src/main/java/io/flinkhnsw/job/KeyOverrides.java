package io.flinkhnsw.job;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.flinkhnsw.filter.FilterFields;
import io.flinkhnsw.hnsw.HnswConfig;
import io.flinkhnsw.hnsw.Quantization;
import io.flinkhnsw.operators.IndexSettings.KeyOverride;
import io.flinkhnsw.vector.Metric;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Per key prefix, the index parameters that differ from the job's ({@code metric}, {@code m},
 * {@code ef-construction}, {@code ef}, {@code seed}, {@code quantization}) and the key's vector limit
 * ({@code max-vectors}), filterable payload fields ({@code filter-fields}, entries separated by
 * {@code |} in the spec, e.g. {@code shop-:filter-fields=color:keyword|price:number}) and shard count
 * ({@code shards}, e.g. {@code big-:shards=8}), from {@code --key-overrides} and
 * {@code --key-overrides-file}. Each override starts from the job's parameters, not from a shorter
 * prefix; the longest matching prefix wins when a key's index is created; for the same prefix the
 * command line wins over the file. The file is JSON ({@code .json}) or YAML ({@code .yaml}/{@code
 * .yml}) with a list, so entries can carry nested values as parameters grow:
 * <pre>
 * key-overrides:
 *   - prefix: img-
 *     metric: cosine
 *     m: 32
 *   - prefix: big-
 *     ef: 128
 *     max-vectors: 50000000
 * </pre>
 */
public final class KeyOverrides {
    static final String PARAMETERS = "metric, m, ef-construction, ef, seed, quantization, max-vectors, filter-fields, "
            + "shards";

    private KeyOverrides() {
    }

    /**
     * The overrides of {@code file} (may be null), then those of {@code spec} (may be null), each
     * starting from {@code base}; a prefix in both takes the spec's.
     */
    public static Map<String, KeyOverride> resolve(String spec, Path file, HnswConfig base) {
        Map<String, KeyOverride> out = new LinkedHashMap<>();
        if (file != null) {
            out.putAll(fromFile(file, base));
        }
        if (spec != null && !spec.isBlank()) {
            out.putAll(fromSpec(spec, base));
        }
        return out;
    }

    /** Parses {@code "shop-:m=32,ef=128;img-:metric=cosine"}. */
    static Map<String, KeyOverride> fromSpec(String spec, HnswConfig base) {
        Map<String, KeyOverride> out = new LinkedHashMap<>();
        for (String entry : spec.split(";")) {
            // the prefix ends at the last colon before the first parameter (filter-fields values hold colons)
            int equals = entry.indexOf('=');
            int colon = entry.lastIndexOf(':', equals < 0 ? entry.length() : equals);
            if (colon <= 0) {
                throw new IllegalArgumentException("--key-overrides entry '" + entry + "' is not PREFIX:name=value,...");
            }
            KeyOverride c = new KeyOverride(base, 0);
            for (String kv : entry.substring(colon + 1).split(",")) {
                String[] p = kv.split("=", 2);
                if (p.length != 2) {
                    throw new IllegalArgumentException("--key-overrides: '" + kv + "' is not name=value");
                }
                c = with(c, p[0].trim(), p[1].trim(), "--key-overrides");
            }
            out.put(entry.substring(0, colon), c);
        }
        return out;
    }

    static Map<String, KeyOverride> fromFile(Path file, HnswConfig base) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        ObjectMapper mapper;
        if (name.endsWith(".yaml") || name.endsWith(".yml")) {
            mapper = new YAMLMapper();
        } else if (name.endsWith(".json")) {
            mapper = new ObjectMapper();
        } else {
            throw new IllegalArgumentException("--key-overrides-file " + file + ": name it .json, .yaml or .yml");
        }
        mapper.enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
        JsonNode root;
        try {
            root = mapper.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("--key-overrides-file " + file + ": " + e.getMessage(), e);
        }
        String where = "--key-overrides-file " + file;
        JsonNode list = root == null ? null : root.get("key-overrides");
        if (list == null || !list.isArray() || root.size() != 1) {
            throw new IllegalArgumentException(where + ": expected one field, key-overrides, holding a list");
        }
        Map<String, KeyOverride> out = new LinkedHashMap<>();
        for (JsonNode entry : list) {
            JsonNode prefix = entry.get("prefix");
            if (!entry.isObject() || prefix == null || !prefix.isTextual() || prefix.textValue().isEmpty()) {
                throw new IllegalArgumentException(where + ": every entry needs a non-empty prefix, got " + entry);
            }
            if (out.containsKey(prefix.textValue())) {
                throw new IllegalArgumentException(where + ": prefix '" + prefix.textValue() + "' appears twice");
            }
            KeyOverride c = new KeyOverride(base, 0);
            for (Iterator<Map.Entry<String, JsonNode>> it = entry.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (f.getKey().equals("prefix")) {
                    continue;
                }
                if (!f.getValue().isValueNode()) {
                    throw new IllegalArgumentException(where + ": " + f.getKey() + " of '" + prefix.textValue()
                            + "' must be a single value");
                }
                c = with(c, f.getKey(), f.getValue().asText(), where);
            }
            out.put(prefix.textValue(), c);
        }
        return out;
    }

    /** {@code o} with one parameter changed; {@code where} names the source in errors. */
    private static KeyOverride with(KeyOverride o, String name, String value, String where) {
        HnswConfig c = o.config();
        try {
            switch (name) {
                case "metric": return o.withConfig(c.withMetric(Metric.parse(value)));
                case "m": return o.withConfig(c.withM(Integer.parseInt(value)));
                case "ef-construction": return o.withConfig(c.withEfConstruction(Integer.parseInt(value)));
                case "ef": return o.withConfig(c.withDefaultEf(Integer.parseInt(value)));
                case "seed": return o.withConfig(c.withSeed(Long.parseLong(value)));
                case "quantization": return o.withConfig(c.withQuantization(Quantization.parse(value)));
                case "max-vectors": {
                    long n = Long.parseLong(value);
                    if (n < 1) {
                        throw new IllegalArgumentException("max-vectors must be >= 1, got " + n);
                    }
                    return o.withMaxVectors(n);
                }
                case "filter-fields": return o.withFilterFields(FilterFields.parse(value));
                case "shards": return o.withShards(Integer.parseInt(value));
                default: throw new IllegalArgumentException("unknown parameter '" + name + "' (" + PARAMETERS + ")");
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + ": " + name + " needs a whole number, got '" + value + "'");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage());
        }
    }
}
