package io.flinkhnsw.job.local;

import org.apache.flink.util.ExceptionUtils;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The embedded broker's ports: the two it listens on are distinct (Kafka refuses two listeners on
 * one port with an {@link IllegalArgumentException}), and a port taken by someone else fails with
 * the {@link BindException} its retry looks for, leaving nothing running.
 */
class EmbeddedKafkaTest {
    @Test
    void portsChosenTogetherAreDistinct() throws Exception {
        for (int round = 0; round < 200; round++) {
            int[] ports = EmbeddedKafka.freePorts(2);
            assertThat(ports[0]).isNotEqualTo(ports[1]);
            assertThat(Arrays.stream(ports).allMatch(p -> p > 0)).isTrue();
        }
    }

    @Test
    void aTakenPortFailsWithTheBindExceptionTheRetryLooksFor(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int controllerPort = EmbeddedKafka.freePort();
            Throwable failure = catchThrowable(() -> EmbeddedKafka.start(dir.resolve("taken"), Uuid.randomUuid().toString(),
                    taken.getLocalPort(), controllerPort).close());
            assertThat(failure).isNotNull();
            assertThat(ExceptionUtils.findThrowable(failure, BindException.class)).isPresent();
        }
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("free"))) {
            assertThat(kafka.bootstrapServers()).startsWith("127.0.0.1:");
        }
    }
}
