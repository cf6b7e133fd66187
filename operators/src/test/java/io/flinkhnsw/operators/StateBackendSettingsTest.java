package io.flinkhnsw.operators;

import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A restore with the changelog must claim its checkpoint: what {@code flink run -s} gets wrong by default. */
class StateBackendSettingsTest {
    private static Configuration restoring(boolean changelog, String claimMode) {
        Configuration conf = StateBackendSettings.apply(new Configuration(), Path.of("/tmp/chk"), Path.of("/tmp/log"), changelog);
        conf.setString("execution.state-recovery.path", "file:///tmp/chk/job/chk-14");
        if (claimMode != null) conf.setString("execution.state-recovery.claim-mode", claimMode);
        return conf;
    }

    @Test
    void restoreWithTheChangelogInNoClaimModeIsRefusedWithTheFix() {
        assertThatThrownBy(() -> StateBackendSettings.checkRestore(restoring(true, "NO_CLAIM")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-claimMode claim").hasMessageContaining("chk-14");
    }

    @Test
    void claimModeNoChangelogOrNoRestoreArePassed() {
        assertThatCode(() -> StateBackendSettings.checkRestore(restoring(true, "CLAIM"))).doesNotThrowAnyException();
        assertThatCode(() -> StateBackendSettings.checkRestore(restoring(false, "NO_CLAIM"))).doesNotThrowAnyException();
        Configuration fresh = StateBackendSettings.apply(new Configuration(), Path.of("/tmp/chk"), Path.of("/tmp/log"), true);
        fresh.setString("execution.state-recovery.claim-mode", "NO_CLAIM");
        assertThatCode(() -> StateBackendSettings.checkRestore(fresh)).doesNotThrowAnyException();
    }
}
