package io.flinkhnsw.job;

import io.flinkhnsw.operators.NetworkSettings;
import io.flinkhnsw.operators.StateBackendSettings;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * flink-conf/config.yaml as Flink itself loads it: the state backend exactly as
 * {@link StateBackendSettings} sets it for local runs (RocksDB, incremental checkpoints, the state
 * changelog), exactly-once checkpoints, a restart strategy, the Prometheus reporter, and JVM options equal to the one flag
 * list in the build ({@link JvmFlags}), so the copy in the YAML cannot drift.
 */
class FlinkConfTest {
    @Test
    void clusterConfigurationIsWhatTheReadmeSays() {
        Configuration c = GlobalConfiguration.loadConfiguration(Path.of("..", "flink-conf").toString());
        Map<String, String> stateBackend = StateBackendSettings.apply(new Configuration(),
                Path.of("/flink-data/checkpoints"), Path.of("/flink-data/changelog"), true).toMap();
        assertThat(stateBackend).containsEntry("state.changelog.enabled", "true");
        assertThat(c.toMap()).containsAllEntriesOf(stateBackend)
                .containsAllEntriesOf(NetworkSettings.apply(new Configuration()).toMap())
                .containsEntry("execution.checkpointing.mode", "EXACTLY_ONCE")
                .containsEntry("restart-strategy.type", "exponential-delay")
                .containsEntry("metrics.reporter.prom.factory.class",
                        "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        assertThat(List.of(c.toMap().get("env.java.opts.all").trim().split("\\s+"))).isEqualTo(JvmFlags.all());
        assertThat(JvmFlags.all()).contains("--add-modules=jdk.incubator.vector");
    }
}
