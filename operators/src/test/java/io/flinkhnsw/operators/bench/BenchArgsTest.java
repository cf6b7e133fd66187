package io.flinkhnsw.operators.bench;

import io.flinkhnsw.vector.Metric;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BenchArgsTest {
    @Test
    void documentedDefaults() {
        BenchArgs a = BenchArgs.parse(new String[] {"--synthetic", "500"});
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
        BenchArgs a = BenchArgs.parse(new String[] {"--base", "b.fvecs", "--queries", "q.fvecs", "--dim", "16",
                "--clusters", "4", "--spread", "0.5", "--seed", "7", "--metric", "cosine", "--m", "8",
                "--ef-construction", "50", "--ef", "20", "--checkpoint-interval", "500ms", "--extra", "10",
                "--rounds", "2", "--changelog", "false", "--work-dir", "w"});
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
        assertThat(BenchArgs.parse(new String[] {"--synthetic", "1", "--checkpoint-interval", "1.5s"})
                .checkpointInterval).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void rejectsBadCommandLinesWithUsage() {
        assertThatThrownBy(() -> BenchArgs.parse(new String[] {"--synthetic", "5", "--extr", "1"}))
                .hasMessageContaining("unknown flag --extr").hasMessageContaining("usage: state-bench");
        assertThatThrownBy(() -> BenchArgs.parse(new String[] {"--synthetic"}))
                .hasMessageContaining("--synthetic needs a value").hasMessageContaining("usage: state-bench");
        assertThatThrownBy(() -> BenchArgs.parse(new String[] {"--synthetic", "many"}))
                .hasMessageContaining("--synthetic must be a whole number");
        assertThatThrownBy(() -> BenchArgs.parse(new String[] {"--synthetic", "5", "--changelog", "yes"}))
                .hasMessageContaining("--changelog must be true or false, got 'yes'");
        assertThatThrownBy(() -> BenchArgs.parse(new String[0])).hasMessageContaining("exactly one of --base or --synthetic");
        assertThatThrownBy(() -> BenchArgs.parse(new String[] {"--base", "b", "--synthetic", "5"}))
                .hasMessageContaining("exactly one of --base or --synthetic");
        assertThatThrownBy(() -> BenchArgs.parse(new String[] {"--synthetic", "5", "--rounds", "0"}))
                .hasMessageContaining("--rounds and --extra must be >= 1");
    }
}
