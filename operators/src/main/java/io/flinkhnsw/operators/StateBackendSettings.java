package io.flinkhnsw.operators;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.configuration.StateChangelogOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.RecoveryClaimMode;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The state backend flink-hnsw runs on, written once for the local runner, the benchmarks and the
 * tests (flink-conf/config.yaml holds the same keys for clusters): RocksDB with incremental
 * checkpoints and Flink's state changelog in front of it, and restores that claim their checkpoint.
 * Why the changelog and CLAIM: docs/ARCHITECTURE.md, "Checkpoints and the state changelog".
 * {@link #checkRestore} refuses a job that would restore otherwise.
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

    /**
     * Throws when {@code conf} restores a checkpoint or savepoint in a claim mode other than CLAIM
     * with the changelog enabled: such a job would restore and then fail every checkpoint, since
     * its first one must be a full snapshot the changelog cannot take, restarting forever without
     * committing any output. {@code flink run -s} does that by default: the CLI restores in NO_CLAIM
     * unless given {@code -claimMode claim}, whatever the configuration says.
     */
    public static void checkRestore(ReadableConfig conf) {
        String path = conf.get(StateRecoveryOptions.SAVEPOINT_PATH);
        RecoveryClaimMode mode = conf.get(StateRecoveryOptions.RESTORE_MODE);
        if (path != null && mode != RecoveryClaimMode.CLAIM && conf.get(StateChangelogOptions.ENABLE_STATE_CHANGE_LOG)) {
            throw new IllegalArgumentException("restoring " + path + " in " + mode + " mode with the state changelog enabled:"
                    + " the first checkpoint would need a full snapshot, which the changelog cannot take, so no checkpoint"
                    + " would ever complete; restore in CLAIM mode (flink run -s " + path + " -claimMode claim)");
        }
    }
}
