package io.flinkhnsw.job.local;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.BindException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Ports for the in-process servers: chosen together they are distinct (Kafka refuses two listeners
 * on one port with an {@link IllegalArgumentException}); a start that finds a port taken, however
 * deep the {@link BindException} sits in its causes, is tried again on new ports, up to
 * {@link FreePorts#ATTEMPTS} times, and any other failure ends at once.
 */
class FreePortsTest {
    @Test
    void portsChosenTogetherAreDistinct() throws Exception {
        for (int round = 0; round < 200; round++) {
            int[] ports = FreePorts.choose(2);
            assertThat(ports[0]).isNotEqualTo(ports[1]);
            assertThat(Arrays.stream(ports).allMatch(p -> p > 0)).isTrue();
        }
    }

    @Test
    void aTakenPortIsTriedAgainOnNewPorts() throws Exception {
        List<int[]> tried = new ArrayList<>();
        String started = FreePorts.start(2, ports -> {
            tried.add(ports);
            if (tried.size() < 3) {
                throw new IllegalStateException("startup failed", new IOException("bind", new BindException("taken")));
            }
            return "up";
        });
        assertThat(started).isEqualTo("up");
        assertThat(tried).hasSize(3).allMatch(p -> p.length == 2);
    }

    @Test
    void anotherFailureOrTheLastAttemptIsThrownAsItCame() {
        int[] calls = {0};
        IllegalArgumentException config = new IllegalArgumentException("two listeners on one port");
        Throwable thrown = catchThrowable(() -> FreePorts.start(2, ports -> {
            calls[0]++;
            throw config;
        }));
        assertThat(thrown).isSameAs(config);
        assertThat(calls[0]).isEqualTo(1);

        calls[0] = 0;
        BindException taken = new BindException("always taken");
        thrown = catchThrowable(() -> FreePorts.start(1, ports -> {
            calls[0]++;
            throw taken;
        }));
        assertThat(thrown).isSameAs(taken);
        assertThat(calls[0]).isEqualTo(FreePorts.ATTEMPTS);
    }
}
