package io.flinkhnsw.job.local;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkhnsw.cli.Cli;
import io.flinkhnsw.job.codec.Json;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code local} command end to end (its own embedded broker and MiniCluster): the summary line
 * has the documented fields, and a run with {@code --inject-failure-after} reports the same counts
 * and the same recall as the run without it.
 */
class LocalCommandTest {
    private static JsonNode run(String... args) throws Exception {
        StringWriter stdout = new StringWriter();
        CommandLine cl = Cli.of(new LocalCommand());
        cl.setOut(new PrintWriter(stdout));
        assertThat(cl.execute(args)).isZero();
        String text = stdout.toString().trim();
        assertThat(text.lines()).as("stdout is one summary line").hasSize(1);
        return Json.MAPPER.readTree(text);
    }

    @Test
    void injectedFailureGivesTheSameSummary() throws Exception {
        String[] common = {"--size", "1500", "--dim", "24", "--deletes", "100", "--query-rate", "500"};
        JsonNode plain = run(common);
        String[] failing = java.util.stream.Stream.concat(java.util.Arrays.stream(common),
                java.util.stream.Stream.of("--inject-failure-after", "900")).toArray(String[]::new);
        JsonNode failed = run(failing);

        for (String field : List.of("upserts", "deletes", "queries", "recall_at_k", "ingest_per_s", "query_p50_ms",
                "query_p99_ms", "checkpoints", "dead_letters")) {
            assertThat(plain.has(field)).as(field).isTrue();
        }
        assertThat(plain.get("upserts").asInt()).isEqualTo(1500);
        assertThat(plain.get("deletes").asInt()).isEqualTo(100);
        assertThat(plain.get("queries").asInt()).isEqualTo(60);
        assertThat(plain.get("dead_letters").asInt()).isEqualTo(3);
        assertThat(plain.get("recall_at_k").asDouble()).isGreaterThan(0.9);
        for (String field : List.of("upserts", "deletes", "queries", "recall_at_k", "dead_letters")) {
            assertThat(failed.get(field)).as(field).isEqualTo(plain.get(field));
        }
    }
}
