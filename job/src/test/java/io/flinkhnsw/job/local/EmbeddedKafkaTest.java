package io.flinkhnsw.job.local;

import org.apache.flink.util.ExceptionUtils;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The embedded broker on a port taken by someone else: its start fails with the
 * {@link BindException} that {@link FreePorts#start} retries on, and leaves the log dir to a retry
 * on new ports, which comes up with the same cluster id.
 */
class EmbeddedKafkaTest {
    @Test
    void aTakenPortFailsWithTheBindExceptionTheRetryLooksForAndTheRetryStarts(@TempDir Path dir) throws Exception {
        String clusterId = Uuid.randomUuid().toString();
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int controllerPort = FreePorts.choose(1)[0];
            Throwable failure = catchThrowable(() -> EmbeddedKafka.start(dir, clusterId, taken.getLocalPort(), controllerPort)
                    .close());
            assertThat(failure).isNotNull();
            assertThat(ExceptionUtils.findThrowable(failure, BindException.class)).isPresent();
        }
        // as a retry does: the same log dir and cluster id, new ports
        int[] ports = FreePorts.choose(2);
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir, clusterId, ports[0], ports[1]);
             var admin = kafka.admin()) {
            assertThat(kafka.bootstrapServers()).isEqualTo("127.0.0.1:" + ports[0]);
            assertThat(admin.describeCluster().clusterId().get()).isEqualTo(clusterId);
        }
    }
}
