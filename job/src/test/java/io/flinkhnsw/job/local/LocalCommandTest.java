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
import static org.assertj.core.api.Assertions.within;

/**
 * The {@code local} command end to end (its own embedded broker and MiniCluster): the summary line
 * has the documented fields (with queries during ingest, their search times too), and a run with
 * {@code --inject-failure-after} and base64 vectors reports the same counts and the same recall as
 * the run without either.
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

    private static String[] with(String[] common, String... more) {
        return java.util.stream.Stream.concat(java.util.Arrays.stream(common), java.util.Arrays.stream(more))
                .toArray(String[]::new);
    }

    @Test
    void injectedFailureGivesTheSameSummary() throws Exception {
        String[] common = {"--size", "1500", "--dim", "24", "--deletes", "100", "--query-rate", "500", "--warmup", "300"};
        JsonNode plain = run(with(common, "--queries-during-ingest"));
        JsonNode failed = run(with(common, "--inject-failure-after", "900", "--vector-encoding", "b64"));

        for (String field : List.of("upserts", "deletes", "queries", "recall_at_k", "ingest_per_s", "query_p50_ms",
                "query_p99_ms", "checkpoints", "dead_letters", "search_p50_ms", "search_p99_ms", "delivery",
                "core_inserts_per_s", "ingest_ratio", "ingest_search_p50_ms", "ingest_search_p99_ms")) {
            assertThat(plain.has(field)).as(field).isTrue();
        }
        assertThat(plain.get("core_inserts_per_s").asDouble()).isPositive();
        assertThat(plain.get("ingest_ratio").asDouble())
                .isCloseTo(plain.get("ingest_per_s").asDouble() / plain.get("core_inserts_per_s").asDouble(), within(0.002));
        assertThat(plain.get("core_cpu_us_per_insert").asDouble()).isPositive();
        assertThat(plain.get("index_cpu_us_per_upsert").asDouble()).as("the index threads' CPU per upsert")
                .isPositive().isLessThan(plain.get("process_cpu_us_per_upsert").asDouble());
        assertThat(plain.get("jit_us_per_upsert").asDouble()).as("the compilers' time in the window per upsert")
                .isNotNegative();
        assertThat(plain.get("ingest_queries").asInt()).isEqualTo(60);
        assertThat(plain.get("warmup_queries").asInt()).as("--warmup 300: 60 untimed queries").isEqualTo(60);
        assertThat(plain.get("vector_encoding").asText()).isEqualTo("json");
        assertThat(failed.get("vector_encoding").asText()).isEqualTo("b64");
        assertThat(failed.has("ingest_search_p99_ms")).as("no queries during ingest").isFalse();
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
