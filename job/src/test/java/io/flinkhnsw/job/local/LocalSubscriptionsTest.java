package io.flinkhnsw.job.local;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkhnsw.cli.Cli;
import io.flinkhnsw.data.ClusteredDataset;
import io.flinkhnsw.data.Fvecs;
import io.flinkhnsw.job.codec.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code local --subscriptions}: standing queries subscribed before the load, updates read back
 * from the updates topic of a real broker, the timed upserts and deletes next to subscriptions, and
 * the summary's update fields. The key stays flat (exact), so every last list must be the exact top k.
 */
class LocalSubscriptionsTest {
    @Test
    void theSummaryTimesTheUpdatesAndTheLastListsAreExact() throws Exception {
        JsonNode summary = summaryOf("--size", "500", "--dim", "8", "--warmup", "0", "--delivery", "at-least-once",
                "--subscriptions", "30", "--query-rate", "1000");

        assertThat(summary.get("subscriptions").asInt()).isEqualTo(30);
        // each subscription's first list, then at least one update per timed upsert and per delete (30 each)
        assertThat(summary.get("updates").asLong()).isGreaterThanOrEqualTo(30 + 60);
        double p50 = summary.get("update_p50_ms").asDouble();
        double p99 = summary.get("update_p99_ms").asDouble();
        assertThat(p50).isPositive();
        assertThat(p99).isGreaterThanOrEqualTo(p50);
        assertThat(summary.get("subscription_recall_at_k").asDouble()).isEqualTo(1.0);
        assertThat(summary.get("upserts").asInt()).isEqualTo(500);
    }

    /**
     * Without {@code --queries} the query vectors are base rows, so with k 1 each timed upsert ties
     * with the stored row at distance 0 and enters behind it: no list changes, and the run must end
     * without update percentiles instead of waiting for updates that never come.
     */
    @Test
    void upsertsThatChangeNoListEndTheRunWithoutPercentiles(@TempDir Path dir) throws Exception {
        float[][] base = new ClusteredDataset(8, 4, 1.0f, 5).next(300);
        Path file = dir.resolve("base.fvecs");
        Fvecs.writeFloats(file, base);
        JsonNode summary = summaryOf("--base", file.toString(), "--k", "1", "--warmup", "0", "--delivery",
                "at-least-once", "--subscriptions", "5", "--query-rate", "1000");
        assertThat(summary.get("subscriptions").asInt()).isEqualTo(5);
        assertThat(summary.has("update_p50_ms")).isFalse();
        assertThat(summary.has("update_p99_ms")).isFalse();
        assertThat(summary.get("subscription_recall_at_k").asDouble()).isEqualTo(1.0);
    }

    /** Runs {@code local} with {@code args}, which must succeed, and returns its summary line. */
    private static JsonNode summaryOf(String... args) throws Exception {
        StringWriter out = new StringWriter();
        CommandLine cl = Cli.of(new LocalCommand());
        cl.setOut(new PrintWriter(out));
        assertThat(cl.execute(args)).as("exit code; stdout: %s", out).isZero();
        String[] lines = out.toString().trim().split("\n");
        return Json.MAPPER.readTree(lines[lines.length - 1]);
    }

    @Test
    void subscriptionsAKeyCouldNotTakeAreRefusedBeforeAnythingStarts() {
        StringWriter err = new StringWriter();
        CommandLine cl = Cli.of(new LocalCommand());
        cl.setErr(new PrintWriter(err));
        int code = cl.execute("--subscriptions", "100001");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--subscriptions must be in [0, 100000]");

        err.getBuffer().setLength(0);
        assertThat(cl.execute("--subscriptions", "5", "--k", "101")).isEqualTo(2);
        assertThat(err.toString()).contains("--subscriptions needs --k at most 100");
    }
}
