package io.flinkhnsw.job.local;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flinkhnsw.job.codec.Json;

import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * The one JSON line a local run ends with. Latencies are end to end (query sent to its result
 * visible to a read_committed consumer), so under exactly-once they include waiting for the next
 * checkpoint to commit; {@code search_*} are the operator's own search times. {@code ingest_per_s}
 * counts until the index applied the last upsert; {@code ingest_ratio} divides it by the core
 * insert rate on the same vectors in the same run. {@code ingest_search_*} (only with queries sent
 * during ingest) are the operator's search times of those queries. {@code update_*} (only with
 * subscriptions) are end to end like the queries' latencies: an upsert or delete sent to each update
 * it caused visible on the updates topic. The {@code *_cpu_us_per_*}
 * fields are CPU time per vector, which other work on the machine does not change: the core build's
 * thread, the index operator's task threads and the whole process over the ingest window.
 */
public final class Summary {
    public long upserts;
    public long deletes;
    public long queries;
    public int k;
    public double recallAtK;
    public double ingestPerSecond;
    public double[] queryMillis = new double[0];
    public double[] searchMillis = new double[0];
    public int checkpoints;
    public long deadLetters;
    public String delivery;
    public double coreInsertsPerSecond;
    public String vectorEncoding;
    public int warmupUpserts;
    public int warmupQueries;
    public double coreCpuSeconds;
    public double indexCpuSeconds;
    public double processCpuSeconds;
    /** The JIT compilers' time compiling over the ingest window; NaN when the JVM does not measure it. */
    public double jitSeconds = Double.NaN;
    /** Operator search times of the queries sent among the upserts; empty when none were. */
    public double[] ingestSearchMillis = new double[0];
    /** Standing queries subscribed before the load; 0 leaves the fields below out. */
    public int subscriptions;
    /** Updates read from the updates topic, all of them (the load's included). */
    public long updates;
    /** Send to visible of each update the timed upserts and deletes next to subscriptions caused; none leaves the percentiles out. */
    public double[] updateMillis = new double[0];
    public double subscriptionRecallAtK;

    public String toJson() {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("upserts", upserts);
        o.put("deletes", deletes);
        o.put("queries", queries);
        o.put("recall_at_k", round(recallAtK, 4));
        o.put("ingest_per_s", round(ingestPerSecond, 1));
        o.put("query_p50_ms", round(percentile(queryMillis, 50), 2));
        o.put("query_p99_ms", round(percentile(queryMillis, 99), 2));
        o.put("checkpoints", checkpoints);
        o.put("dead_letters", deadLetters);
        o.put("k", k);
        o.put("search_p50_ms", round(percentile(searchMillis, 50), 3));
        o.put("search_p99_ms", round(percentile(searchMillis, 99), 3));
        o.put("delivery", delivery);
        o.put("core_inserts_per_s", round(coreInsertsPerSecond, 1));
        o.put("ingest_ratio", round(coreInsertsPerSecond > 0 ? ingestPerSecond / coreInsertsPerSecond : 0, 3));
        o.put("vector_encoding", vectorEncoding);
        o.put("warmup_upserts", warmupUpserts);
        o.put("warmup_queries", warmupQueries);
        o.put("core_cpu_us_per_insert", round(coreCpuSeconds * 1e6 / Math.max(1, upserts), 1));
        o.put("index_cpu_us_per_upsert", round(indexCpuSeconds * 1e6 / Math.max(1, upserts), 1));
        o.put("process_cpu_us_per_upsert", round(processCpuSeconds * 1e6 / Math.max(1, upserts), 1));
        if (!Double.isNaN(jitSeconds)) {
            o.put("jit_us_per_upsert", round(jitSeconds * 1e6 / Math.max(1, upserts), 1));
        }
        if (ingestSearchMillis.length > 0) {
            o.put("ingest_queries", ingestSearchMillis.length);
            o.put("ingest_search_p50_ms", round(percentile(ingestSearchMillis, 50), 3));
            o.put("ingest_search_p99_ms", round(percentile(ingestSearchMillis, 99), 3));
        }
        if (subscriptions > 0) {
            o.put("subscriptions", subscriptions);
            o.put("updates", updates);
            if (updateMillis.length > 0) {
                o.put("update_p50_ms", round(percentile(updateMillis, 50), 2));
                o.put("update_p99_ms", round(percentile(updateMillis, 99), 2));
            }
            o.put("subscription_recall_at_k", round(subscriptionRecallAtK, 4));
        }
        try {
            return Json.MAPPER.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Nearest-rank percentile; 0 for no samples. */
    static double percentile(double[] values, double p) {
        if (values.length == 0) return 0;
        double[] s = values.clone();
        Arrays.sort(s);
        int rank = (int) Math.ceil(p / 100.0 * s.length);
        return s[Math.max(0, Math.min(s.length - 1, rank - 1))];
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}
