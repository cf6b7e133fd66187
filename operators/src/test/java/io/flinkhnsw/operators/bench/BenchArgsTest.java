package io.flinkhnsw.operators.bench;

import io.flinkhnsw.cli.Cli;
import io.flinkhnsw.vector.Metric;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BenchArgsTest {
    /** Parses and validates like {@code java -jar flink-hnsw.jar state-bench ARGS}. */
    private static BenchArgs parse(String... args) {
        StateBench command = new StateBench();
        Cli.of(command).parseArgs(args);
        command.a.validate();
        return command.a;
    }

    /** Runs the command line and returns its exit code and what it printed on stderr. */
    private static String[] fail(String... args) {
        StringWriter err = new StringWriter();
        CommandLine cl = Cli.of(new StateBench());
        cl.setErr(new PrintWriter(err));
        return new String[] {Integer.toString(cl.execute(args)), err.toString()};
    }
    @Test
    void documentedDefaults() {
        BenchArgs a = parse("--synthetic", "500");
        assertThat(a.synthetic).isEqualTo(500);
        assertThat(a.base).isNull();
        assertThat(a.queries).isNull();
        assertThat(a.workDir).isNull();
        assertThat(a.dim).isEqualTo(128);
        assertThat(a.clusters).isEqualTo(64);
        assertThat(a.spread).isEqualTo(0.15f);
        assertThat(a.seed).isEqualTo(42L);
        assertThat(a.metric).isEqualTo(Metric.L2);
        assertThat(a.m).isEqualTo(16);
        assertThat(a.efConstruction).isEqualTo(200);
        assertThat(a.ef).isEqualTo(64);
        assertThat(a.checkpointInterval).isEqualTo(Duration.ofSeconds(2));
        assertThat(a.extra).isEqualTo(1000);
        assertThat(a.rounds).isEqualTo(5);
        assertThat(a.changelog).isTrue();
        assertThat(a.dataName()).isEqualTo("synthetic-500x128");
    }

    @Test
    void parsesEveryFlag() {
        BenchArgs a = parse("--base", "b.fvecs", "--queries", "q.fvecs", "--dim", "16",
                "--clusters", "4", "--spread", "0.5", "--seed", "7", "--metric", "cosine", "--m", "8",
                "--ef-construction", "50", "--ef", "20", "--checkpoint-interval", "500ms", "--extra", "10",
                "--rounds", "2", "--changelog", "false", "--work-dir", "w");
        assertThat(a.base).isEqualTo(Path.of("b.fvecs"));
        assertThat(a.queries).isEqualTo(Path.of("q.fvecs"));
        assertThat(a.dim).isEqualTo(16);
        assertThat(a.clusters).isEqualTo(4);
        assertThat(a.spread).isEqualTo(0.5f);
        assertThat(a.seed).isEqualTo(7L);
        assertThat(a.metric).isEqualTo(Metric.COSINE);
        assertThat(a.m).isEqualTo(8);
        assertThat(a.efConstruction).isEqualTo(50);
        assertThat(a.ef).isEqualTo(20);
        assertThat(a.checkpointInterval).isEqualTo(Duration.ofMillis(500));
        assertThat(a.extra).isEqualTo(10);
        assertThat(a.rounds).isEqualTo(2);
        assertThat(a.workDir).isEqualTo(Path.of("w"));
        assertThat(a.changelog).isFalse();
        assertThat(parse("--synthetic", "1", "--checkpoint-interval", "1.5s")
                .checkpointInterval).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void rejectsBadCommandLinesAsUsageErrors() {
        assertThat(fail("--synthetic", "5", "--extr", "1")).satisfies(r -> {
            assertThat(r[0]).isEqualTo("2");
            assertThat(r[1]).contains("Unknown options: '--extr', '1'").contains("--extra");
        });
        assertThat(fail("--synthetic")[1]).contains("Missing required parameter for option '--synthetic'");
        assertThat(fail("--synthetic", "many")[1]).contains("Invalid value for option '--synthetic': 'many' is not an int");
        assertThat(fail("--synthetic", "5", "--changelog", "yes")[1]).contains("'yes' is not a boolean");
        assertThat(fail("--synthetic", "5", "--checkpoint-interval", "soon")[1]).contains("'soon' is not a duration");
        assertThat(fail()).containsExactly("2", "state-bench: give exactly one of --base or --synthetic\n"
                + "Run 'state-bench --help' for the options.\n");
        assertThatThrownBy(() -> parse("--base", "b", "--synthetic", "5"))
                .hasMessageContaining("exactly one of --base or --synthetic");
        assertThatThrownBy(() -> parse("--synthetic", "5", "--rounds", "0"))
                .hasMessageContaining("--rounds and --extra must be >= 1");
    }
}
