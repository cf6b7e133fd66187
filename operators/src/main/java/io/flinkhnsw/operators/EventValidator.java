package io.flinkhnsw.operators;

import io.flinkhnsw.filter.Filter;
import io.flinkhnsw.filter.FilterFields;
import io.flinkhnsw.filter.InvalidFilterException;
import io.flinkhnsw.hnsw.Limits;
import org.apache.flink.util.function.SerializableFunction;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;

/**
 * The field and range checks of an {@link IndexEvent}, shared by the job's JSON decoder (after it
 * has parsed the text) and the index operator (for events from any source), so both refuse the same
 * events with the same reasons: required fields per op, id and key lengths, vector dimension within
 * {@link Limits#MAX_DIMENSION} and finite components, k and ef ranges, payload shape and size, and
 * for a query exactly one of a vector, an id or {@code like} examples (at most
 * {@link Limits#MAX_EXAMPLE_IDS} example ids) and a filter that fits the payload fields its key may
 * be filtered on; for a subscribe a subscriptionId, a vector or an id to follow, k within
 * {@link Limits#MAX_SUBSCRIPTION_K}, ef and filter as a query's; for an unsubscribe a subscriptionId.
 * What needs a key's index (its dimension, a zero vector under cosine) is checked by the index.
 * Returns a reason a person can act on, or null when the event may be applied.
 */
public final class EventValidator implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int maxEf;
    private final int maxPayloadBytes;
    private final SerializableFunction<String, FilterFields> filterFields;

    /** A validator for keys without filterable fields: every filter is refused. */
    public EventValidator(int maxEf, int maxPayloadBytes) {
        this(maxEf, maxPayloadBytes, key -> FilterFields.NONE);
    }

    /**
     * @param maxEf           the largest ef a query may ask for, at most {@link Limits#MAX_EF}
     * @param maxPayloadBytes the largest payload, in UTF-8 bytes
     * @param filterFields    the payload fields a key may be filtered on
     */
    public EventValidator(int maxEf, int maxPayloadBytes, SerializableFunction<String, FilterFields> filterFields) {
        if (maxEf < 1 || maxEf > Limits.MAX_EF) {
            throw new IllegalArgumentException("max ef must be in 1.." + Limits.MAX_EF + ", got " + maxEf);
        }
        this.maxEf = maxEf;
        this.maxPayloadBytes = maxPayloadBytes;
        this.filterFields = filterFields;
    }

    /**
     * The filter of query {@code e} parsed against its key's filterable fields, null when it has none.
     *
     * @throws InvalidFilterException with the reason when it cannot be used
     */
    public Filter filter(IndexEvent e) {
        return e.filter == null ? null : Filter.parse(e.filter, filterFields.apply(e.key));
    }

    public String check(IndexEvent e) {
        if (e.op == null) {
            return "missing field 'op'";
        }
        String reason = text("key", e.key, Limits.MAX_KEY_CHARS);
        if (reason != null) {
            return reason;
        }
        switch (e.op) {
            case UPSERT:
                reason = required("id", e.id, Limits.MAX_ID_CHARS);
                // without a vector, an upsert only replaces the payload of an id the key holds
                if (reason == null && (e.vector != null || e.payload == null)) {
                    reason = vector(e.vector);
                }
                return reason != null || e.payload == null ? reason : payload(e.payload);
            case DELETE:
                return required("id", e.id, Limits.MAX_ID_CHARS);
            case QUERY:
                reason = required("queryId", e.queryId, Limits.MAX_ID_CHARS);
                if (reason == null) {
                    reason = querySource(e);
                }
                if (reason == null) {
                    reason = text("vote", e.vote, Limits.MAX_ID_CHARS);
                }
                int maxK = Limits.MAX_K - e.exampleCount();
                if (reason == null && (e.k < 1 || e.k > maxK)) {
                    reason = "k is " + e.k + ", must be in 1.." + maxK
                            + (maxK < Limits.MAX_K ? " (" + Limits.MAX_K + " less the example ids)" : "");
                }
                return reason != null ? reason : efAndFilter(e);
            case SUBSCRIBE:
                reason = required("subscriptionId", e.subscriptionId, Limits.MAX_ID_CHARS);
                if (reason == null) {
                    reason = subscriptionSource(e);
                }
                if (reason == null && (e.k < 1 || e.k > Limits.MAX_SUBSCRIPTION_K)) {
                    reason = "k is " + e.k + ", must be in 1.." + Limits.MAX_SUBSCRIPTION_K + " for a subscription";
                }
                return reason != null ? reason : efAndFilter(e);
            case UNSUBSCRIBE:
                return required("subscriptionId", e.subscriptionId, Limits.MAX_ID_CHARS);
            case GET:
                reason = required("queryId", e.queryId, Limits.MAX_ID_CHARS);
                return reason != null ? reason : required("id", e.id, Limits.MAX_ID_CHARS);
            case DROP:
                return null;
            default:
                return "unknown op " + e.op;
        }
    }

    private String efAndFilter(IndexEvent e) {
        if (e.ef != 0 && (e.ef < e.k || e.ef > maxEf)) {
            return "ef is " + e.ef + ", must be in k.." + maxEf + " (k is " + e.k + "), or absent for the index's default";
        }
        if (e.filter != null) {
            try {
                filter(e);
            } catch (InvalidFilterException bad) {
                return bad.getMessage();
            }
        }
        return null;
    }

    /** Exactly one of: a vector, an id to follow. */
    private static String subscriptionSource(IndexEvent e) {
        if (e.like != null || e.unlike != null) {
            return "a subscription follows a 'vector' (or 'vector_b64') or an 'id', not 'like'/'unlike' examples";
        }
        if (e.vector != null && e.id != null) {
            return "a subscription follows one of 'vector' (or 'vector_b64') or 'id', not both";
        }
        if (e.vector == null && e.id == null) {
            return "missing field 'vector' (or 'id')";
        }
        return e.vector != null ? vector(e.vector) : text("id", e.id, Limits.MAX_ID_CHARS);
    }

    /** Exactly one of: a vector, an id, like examples (with optional unlike examples). */
    private static String querySource(IndexEvent e) {
        int given = (e.vector != null ? 1 : 0) + (e.id != null ? 1 : 0) + (e.like != null ? 1 : 0);
        if (given > 1) {
            return "a query searches with one of 'vector' (or 'vector_b64'), 'id' or 'like', not with "
                    + (e.vector != null ? "'vector' and " : "") + (e.id != null ? "'id'" : "")
                    + (e.id != null && e.like != null ? " and " : "") + (e.like != null ? "'like'" : "");
        }
        if (e.unlike != null && e.like == null) {
            return "'unlike' needs at least one 'like' id";
        }
        if (given == 0) {
            return "missing field 'vector' (or 'id', or 'like')";
        }
        if (e.vector != null) {
            return vector(e.vector);
        }
        if (e.id != null) {
            return text("id", e.id, Limits.MAX_ID_CHARS);
        }
        if (e.like.length == 0) {
            return "'like' needs at least one id";
        }
        int ids = e.like.length + (e.unlike == null ? 0 : e.unlike.length);
        if (ids > Limits.MAX_EXAMPLE_IDS) {
            return "too many ids: " + ids + " in 'like' and 'unlike', at most " + Limits.MAX_EXAMPLE_IDS;
        }
        String reason = ids("like", e.like);
        return reason != null || e.unlike == null ? reason : ids("unlike", e.unlike);
    }

    private static String ids(String field, String[] ids) {
        for (int i = 0; i < ids.length; i++) {
            String reason = required(field + "[" + i + "]", ids[i], Limits.MAX_ID_CHARS);
            if (reason != null) {
                return reason;
            }
        }
        return null;
    }

    private static String required(String field, String value, int maxChars) {
        return value == null ? "missing field '" + field + "'" : text(field, value, maxChars);
    }

    private static String text(String field, String value, int maxChars) {
        if (value == null) {
            return null;
        }
        if (value.isEmpty()) {
            return "field '" + field + "' is empty";
        }
        if (value.length() > maxChars) {
            return "field '" + field + "' is " + value.length() + " characters, longer than " + maxChars;
        }
        return null;
    }

    private static String vector(float[] v) {
        if (v == null) {
            return "missing field 'vector'";
        }
        if (v.length < 1 || v.length > Limits.MAX_DIMENSION) {
            return "vector has " + v.length + " components, must have 1.." + Limits.MAX_DIMENSION;
        }
        for (int i = 0; i < v.length; i++) {
            if (Float.isNaN(v[i])) {
                return "vector[" + i + "] is NaN";
            }
            if (Float.isInfinite(v[i])) {
                return "vector[" + i + "] is infinite or too large for a 32-bit float";
            }
        }
        return null;
    }

    private String payload(String payload) {
        // UTF-8 takes at most 3 bytes per UTF-16 char; count exactly only when that bound is exceeded.
        if (payload.length() * 3 > maxPayloadBytes) {
            int bytes = payload.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > maxPayloadBytes) {
                return "payload is " + bytes + " bytes, over the limit of " + maxPayloadBytes + " bytes (--max-payload-bytes)";
            }
        }
        String t = payload.strip();
        if (!t.startsWith("{") || !t.endsWith("}")) {
            return "field 'payload' must be a JSON object";
        }
        return null;
    }
}
