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
 * the {@link BindException} its retry looks for, and leaves the log dir to a retry on new ports.
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
    void aTakenPortFailsWithTheBindExceptionTheRetryLooksForAndTheRetryStarts(@TempDir Path dir) throws Exception {
        String clusterId = Uuid.randomUuid().toString();
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int controllerPort = EmbeddedKafka.freePort();
            Throwable failure = catchThrowable(() -> EmbeddedKafka.start(dir, clusterId, taken.getLocalPort(), controllerPort)
                    .close());
            assertThat(failure).isNotNull();
            assertThat(ExceptionUtils.findThrowable(failure, BindException.class)).isPresent();
        }
        // as a retry does: the same log dir and cluster id, new ports
        int[] ports = EmbeddedKafka.freePorts(2);
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir, clusterId, ports[0], ports[1]);
             var admin = kafka.admin()) {
            assertThat(kafka.bootstrapServers()).isEqualTo("127.0.0.1:" + ports[0]);
            assertThat(admin.describeCluster().clusterId().get()).isEqualTo(clusterId);
        }
    }
}
