package io.flinkhnsw.operators;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The kNN vote of a query: the value of a top-level payload field held by most of its neighbours
 * (among those that have the field with a non-null value), ties going to the value of the nearest
 * neighbour, with its share of those neighbours. Values are compared as JSON values: strings,
 * booleans and numbers are told apart by type, numbers by value ({@code 1} equals {@code 1.0}).
 */
final class KnnVote {
    private static final ObjectMapper JSON = new ObjectMapper();

    private KnnVote() {
    }

    /** The vote over {@code neighbours} (nearest first); value null when none has {@code field}. */
    static Vote of(String field, List<Neighbour> neighbours) {
        // in order of first appearance, so on a tie the value of the nearer neighbour comes first
        Map<String, Tally> tallies = new LinkedHashMap<>();
        int voters = 0;
        for (Neighbour n : neighbours) {
            JsonNode value = field(n.payload, field);
            if (value != null) {
                voters++;
                String key = value.isNumber() ? "n" + value.decimalValue().stripTrailingZeros().toPlainString()
                        : value.toString();
                tallies.computeIfAbsent(key, x -> new Tally(value.toString())).count++;
            }
        }
        Tally best = null;
        for (Tally t : tallies.values()) {
            if (best == null || t.count > best.count) {
                best = t;
            }
        }
        return best == null ? new Vote(null, 0) : new Vote(best.json, (double) best.count / voters);
    }

    /** One value's votes, with the JSON text of its first (nearest) appearance. */
    private static final class Tally {
        final String json;
        int count;

        Tally(String json) {
            this.json = json;
        }
    }

    /** The non-null value of {@code field} in a payload, or null. */
    private static JsonNode field(String payload, String field) {
        if (payload == null) {
            return null;
        }
        try {
            JsonNode value = JSON.readTree(payload).get(field);
            return value == null || value.isNull() ? null : value;
        } catch (IOException e) {
            return null; // payloads are validated JSON objects; an unreadable one has no vote
        }
    }
}
