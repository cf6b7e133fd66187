package io.flinkhnsw.operators;

import io.flinkhnsw.hnsw.HnswConfig;
import io.flinkhnsw.hnsw.HnswIndex;

/**
 * Checks the parts of an {@link IndexEvent} the index itself does not: required fields per op, k and
 * ef ranges, payload size and shape. Vector contents (dimension, NaN/Inf, zero under cosine) are left
 * to {@link HnswIndex}, which knows the key's dimension and metric. Returns a reason a person can act
 * on, or null when the event may be applied.
 */
final class EventValidator {
    private EventValidator() {
    }

    static String check(IndexEvent e, int maxPayloadBytes) {
        if (e.op == null) {
            return "missing op (expected UPSERT, DELETE, QUERY or DROP)";
        }
        switch (e.op) {
            case UPSERT:
                if (isEmpty(e.id)) {
                    return "upsert without id";
                }
                if (e.vector == null || e.vector.length == 0) {
                    return "upsert of '" + e.id + "' without vector";
                }
                return e.payload == null ? null : checkPayload(e.payload, maxPayloadBytes);
            case DELETE:
                return isEmpty(e.id) ? "delete without id" : null;
            case QUERY:
                if (isEmpty(e.queryId)) {
                    return "query without queryId";
                }
                if (e.vector == null || e.vector.length == 0) {
                    return "query '" + e.queryId + "' without vector";
                }
                if (e.k < 1 || e.k > HnswIndex.MAX_K) {
                    return "query '" + e.queryId + "': k must be in 1.." + HnswIndex.MAX_K + ", got " + e.k;
                }
                if (e.ef < 0 || e.ef > HnswConfig.MAX_EF) {
                    return "query '" + e.queryId + "': ef must be 0 (index default) or 1.." + HnswConfig.MAX_EF
                            + ", got " + e.ef;
                }
                return null;
            case DROP:
                return null;
            default:
                return "unknown op " + e.op;
        }
    }

    /** A cheap shape check: the job parses JSON at the edge; here we only refuse what cannot be an object. */
    private static String checkPayload(String payload, int maxBytes) {
        // UTF-8 takes at most 3 bytes per UTF-16 char; count exactly only when that bound is exceeded.
        if (payload.length() * 3 > maxBytes
                && payload.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > maxBytes) {
            return "payload larger than " + maxBytes + " bytes";
        }
        String t = payload.strip();
        if (!t.startsWith("{") || !t.endsWith("}")) {
            return "payload is not a JSON object";
        }
        return null;
    }

    private static boolean isEmpty(String s) {
        return s == null || s.isEmpty();
    }
}
