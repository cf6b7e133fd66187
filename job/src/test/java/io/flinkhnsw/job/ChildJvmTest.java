package io.flinkhnsw.job;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A relaunched child notices its launching process is gone, killed outright included. */
class ChildJvmTest {
    @Test
    void theActionRunsOnceTheWatchedProcessIsKilledAndNotBefore() throws Exception {
        Process parent = new ProcessBuilder("sleep", "60").start();
        CountDownLatch gone = new CountDownLatch(1);
        ChildJvm.whenGone(parent.pid(), gone::countDown);
        assertThat(gone.await(300, TimeUnit.MILLISECONDS)).as("still running").isFalse();
        parent.destroyForcibly().waitFor();
        assertThat(gone.await(10, TimeUnit.SECONDS)).as("noticed the kill").isTrue();
    }

    @Test
    void aProcessThatNoLongerExistsCountsAsGone() throws Exception {
        Process parent = new ProcessBuilder("true").start();
        long pid = parent.pid();
        parent.waitFor();
        CountDownLatch gone = new CountDownLatch(1);
        ChildJvm.whenGone(pid, gone::countDown);
        assertThat(gone.await(10, TimeUnit.SECONDS)).isTrue();
    }
}
