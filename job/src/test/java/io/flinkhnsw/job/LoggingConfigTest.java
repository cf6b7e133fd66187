package io.flinkhnsw.job;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The jar's commands print JSON lines on stdout, so Log4j's own status messages must go to stderr:
 * with the default destination (stdout) a late "Unable to register Log4j shutdown hook" line
 * ended up among inspect's output and made the chaos test's index comparison fail.
 */
class LoggingConfigTest {
    @Test
    void log4jStatusMessagesGoToStderrAndFlinkKafkaLogsToAFile() throws Exception {
        Properties p = new Properties();
        try (InputStream in = Main.class.getClassLoader().getResourceAsStream("log4j2.properties")) {
            assertThat(in).as("the jar's log4j2.properties").isNotNull();
            p.load(in);
        }
        assertThat(p.getProperty("dest")).isEqualTo("err");
        assertThat(p.getProperty("rootLogger.appenderRef.file.ref")).isEqualTo("file");
        assertThat(p.getProperty("appender.file.type")).isEqualTo("File");
    }
}
