package io.flinkhnsw.job.inspect;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How {@code inspect} words input it cannot read. The changelog case uses the exception Flink 2.2's
 * State Processor API throws for a checkpoint written with the state changelog (seen on a retained
 * checkpoint of {@code local}; see README, "Looking inside a savepoint").
 */
class InspectCommandTest {
    @TempDir
    Path dir;

    @Test
    void aChangelogCheckpointIsExplainedWithWhatToDoInstead() {
        Exception e = new RuntimeException("Failed to read",
                new IOException("Failed to restore", new UnsupportedOperationException("State processor api does not support changelog.")));
        assertThat(InspectCommand.explain(e))
                .contains("state changelog", "FLINK-37398", "stop-with-savepoint", "State processor api does not support changelog.")
                .doesNotContain("\n");
    }

    @Test
    void otherFailuresGiveTheirRootCause() {
        Exception e = new RuntimeException("outer", new IllegalStateException("no operator with uid hnsw-index"));
        assertThat(InspectCommand.explain(e)).isEqualTo("IllegalStateException: no operator with uid hnsw-index");
    }

    @Test
    void localPathsAreCheckedBeforeFlinkStarts() throws Exception {
        assertThat(InspectCommand.unreadablePath(dir.resolve("missing").toString())).startsWith("no such savepoint");
        assertThat(InspectCommand.unreadablePath(dir.toString())).contains("has no _metadata file");
        Files.writeString(dir.resolve("_metadata"), "x");
        assertThat(InspectCommand.unreadablePath(dir.toString())).isNull();
        assertThat(InspectCommand.unreadablePath(dir.toUri().toString())).isNull();
        assertThat(InspectCommand.unreadablePath("s3://bucket/savepoint-1")).isNull();
    }
}
