package io.flinkhnsw.operators;

import org.apache.flink.configuration.Configuration;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The state backend flink-hnsw runs on, written once for the local runner, the benchmarks and the
 * tests (flink-conf/config.yaml holds the same keys for clusters): RocksDB with incremental
 * checkpoints and Flink's state changelog in front of it, and restores that claim their checkpoint.
 * Why the changelog and CLAIM: docs/ARCHITECTURE.md, "Checkpoints and the state changelog".
 */
public final class StateBackendSettings {
    /** How often RocksDB's files are uploaded so the changelog can be truncated; restore replays at most this much. */
    public static final Duration MATERIALIZATION_INTERVAL = Duration.ofMinutes(1);

    private StateBackendSettings() {
    }

    /** Sets RocksDB, incremental checkpoints under {@code checkpoints}, and the changelog under {@code changelog} when enabled. */
    public static Configuration apply(Configuration conf, Path checkpoints, Path changelog, boolean changelogEnabled) {
        conf.setString("state.backend.type", "rocksdb");
        conf.setString("execution.checkpointing.incremental", "true");
        conf.setString("execution.checkpointing.dir", checkpoints.toUri().toString());
        conf.setString("state.changelog.enabled", Boolean.toString(changelogEnabled));
        if (changelogEnabled) {
            conf.setString("state.changelog.storage", "filesystem");
            conf.setString("state.changelog.dstl.dfs.base-path", changelog.toUri().toString());
            conf.setString("state.changelog.periodic-materialize.interval",
                    MATERIALIZATION_INTERVAL.toSeconds() + "s");
            conf.setString("execution.state-recovery.claim-mode", "CLAIM");
        }
        return conf;
    }
}
