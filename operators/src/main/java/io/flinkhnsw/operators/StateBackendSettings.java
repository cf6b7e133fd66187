package io.flinkhnsw.operators;

import org.apache.flink.configuration.Configuration;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The state backend flink-hnsw runs on, written once for the local runner, the benchmarks and the
 * tests (flink-conf/config.yaml holds the same keys for clusters): RocksDB with incremental
 * checkpoints, and Flink's state changelog (FLIP-158) in front of it. Without the changelog, every
 * RocksDB compaction of the link lists, which each insert rewrites at random keys, is uploaded by the
 * next checkpoint: about one checkpoint in four grew from 2 % to 13-15 % of the state. With it, a
 * checkpoint uploads only the state changes since the last one, and RocksDB's files, compaction
 * output included, are uploaded in the background once per materialization interval. A job restored
 * from a checkpoint or savepoint claims it (CLAIM mode): in Flink's default NO_CLAIM mode the first
 * checkpoint after the restore must be a full snapshot, which the changelog cannot take, so that
 * checkpoint, and with it the job, would fail.
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
