package io.flinkhnsw.bench;

import io.flinkhnsw.cli.Cli;
import io.flinkhnsw.data.ClusteredDataset;
import io.flinkhnsw.data.ExactKnn;
import io.flinkhnsw.data.Fvecs;
import io.flinkhnsw.vector.Metric;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code bench --churn-rounds}: the fresh lines, timed after the churn against an identical second
 * build, describe the graph as built (the same recall as a run without churn, nothing of the churn),
 * and come before the churn lines, ef by ef.
 */
class BenchChurnTest {
    private static final Pattern RECALL = Pattern.compile("\"recall_at_k\": ([0-9.]+)");
    private static final Pattern EF = Pattern.compile("\"ef\": ([0-9]+),");

    @TempDir
    Path dir;

    @Test
    void freshLinesAfterChurnDescribeTheGraphAsBuilt() throws Exception {
        ClusteredDataset data = new ClusteredDataset(16, 8, 0.3f, 11);
        Fvecs.writeFloats(dir.resolve("base.fvecs"), data.next(1500));
        float[][] queries = data.next(40);
        Fvecs.writeFloats(dir.resolve("query.fvecs"), queries);
        Fvecs.writeInts(dir.resolve("groundtruth.ivecs"),
                ExactKnn.topK(Fvecs.readFloats(dir.resolve("base.fvecs")), queries, 10, Metric.L2));

        List<String> plain = bench("0");
        List<String> churned = bench("3");

        assertThat(plain).hasSize(3);
        assertThat(churned).hasSize(6);
        for (int i = 0; i < 3; i++) {
            assertThat(field(EF, churned.get(i))).isEqualTo(field(EF, plain.get(i)));
            assertThat(field(RECALL, churned.get(i))).as("fresh recall at line %d", i).isEqualTo(field(RECALL, plain.get(i)));
            assertThat(churned.get(i)).doesNotContain("churn_rounds");
            assertThat(field(EF, churned.get(3 + i))).isEqualTo(field(EF, plain.get(i)));
            assertThat(churned.get(3 + i)).contains("\"churn_rounds\": 3", "\"unreachable\": 0");
        }
    }

    private List<String> bench(String churnRounds) {
        StringWriter out = new StringWriter();
        CommandLine cl = Cli.of(new BenchCommand());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(new StringWriter()));
        int rc = cl.execute("--base", dir.resolve("base.fvecs").toString(), "--queries", dir.resolve("query.fvecs").toString(),
                "--groundtruth", dir.resolve("groundtruth.ivecs").toString(), "--ef", "10,20,40", "--churn-rounds", churnRounds,
                "--jit-warmup", "0", "--warmup-s", "0", "--min-time-s", "0.02", "--repeats", "1");
        assertThat(rc).isZero();
        return out.toString().lines().toList();
    }

    private static String field(Pattern pattern, String line) {
        Matcher m = pattern.matcher(line);
        assertThat(m.find()).as("%s in %s", pattern, line).isTrue();
        return m.group(1);
    }
}
