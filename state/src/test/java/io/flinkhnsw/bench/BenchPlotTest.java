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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code bench --plot} on a small real run (600 clustered vectors, exact groundtruth, one churn
 * round): the JSON lines are printed as before (the churn lines with their rates and CPU time), and the SVG holds both axis labels, a legend entry
 * per curve and polylines through every ef point.
 */
class BenchPlotTest {
    @TempDir
    Path dir;

    @Test
    void benchDrawsRecallAgainstQps() throws Exception {
        ClusteredDataset data = new ClusteredDataset(16, 8, 0.3f, 5);
        float[][] base = data.next(600);
        float[][] queries = data.next(30);
        Fvecs.writeFloats(dir.resolve("base.fvecs"), base);
        Fvecs.writeFloats(dir.resolve("query.fvecs"), queries);
        Fvecs.writeInts(dir.resolve("groundtruth.ivecs"), ExactKnn.topK(base, queries, 10, Metric.L2));
        Path svg = dir.resolve("plot/recall-qps.svg");

        StringWriter out = new StringWriter();
        CommandLine cl = Cli.of(new BenchCommand());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(new StringWriter()));
        int rc = cl.execute("--base", dir.resolve("base.fvecs").toString(), "--queries", dir.resolve("query.fvecs").toString(),
                "--groundtruth", dir.resolve("groundtruth.ivecs").toString(), "--ef", "10,20,40", "--churn-rounds", "1",
                "--jit-warmup", "0", "--warmup-s", "0", "--min-time-s", "0.02", "--repeats", "1", "--plot", svg.toString());

        assertThat(rc).isZero();
        assertThat(out.toString().lines()).hasSize(6).allSatisfy(l -> assertThat(l).contains("\"recall_at_k\": ")
                .contains("\"build_cpu_s\": "));
        assertThat(out.toString().lines().skip(3)).allSatisfy(l -> assertThat(l).contains("\"churn_ops_per_s\": ",
                "\"churn_cpu_s\": ", "\"max_op_ms\": ", "\"p999_op_ms\": ", "\"unreachable\": 0"));
        String text = Files.readString(svg);
        assertThat(text).startsWith("<!DOCTYPE svg").contains(">recall@10</text>").contains(">queries per second (log scale)</text>")
                .contains(">flink-hnsw</text>").contains(">flink-hnsw after churn</text>");
        // a curve: one path through the three ef points (a move and two lines), in the series colour
        Matcher curves = Pattern.compile("<g style='stroke-width:1\\.5;stroke:rgb\\(31,119,180\\)[^>]*><path d='M[-0-9.]+,[-0-9.]+"
                + "L[-0-9.]+,[-0-9.]+L[-0-9.]+,[-0-9.]+'").matcher(text);
        int found = 0;
        while (curves.find()) found++;
        assertThat(found).as("before- and after-churn curves").isEqualTo(2);
    }
}
