package io.flinkhnsw.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FvecsTest {
    @TempDir
    Path dir;

    @Test
    void roundTripsFloatsAndInts() throws IOException {
        float[][] floats = {{1.5f, -2f, 3.25f}, {0f, 1e-7f, Float.MAX_VALUE}};
        int[][] ints = {{1, 2}, {-3, Integer.MAX_VALUE}};
        Fvecs.writeFloats(dir.resolve("a.fvecs"), floats);
        Fvecs.writeInts(dir.resolve("a.ivecs"), ints);
        assertThat(Fvecs.readFloats(dir.resolve("a.fvecs"))).isDeepEqualTo(floats);
        assertThat(Fvecs.readInts(dir.resolve("a.ivecs"))).isDeepEqualTo(ints);
    }

    @Test
    void readsTheSiftSet() {
        SharedData sift = SharedData.sift();
        assertThat(sift.base).hasNumberOfRows(4900);
        assertThat(sift.base[0]).hasSize(128);
        assertThat(sift.queries).hasNumberOfRows(100);
        assertThat(sift.groundtruth[0]).hasSize(100);
    }

    @Test
    void rejectsTruncatedFiles() throws IOException {
        Path file = dir.resolve("bad.fvecs");
        Files.write(file, new byte[] {4, 0, 0, 0, 1, 2, 3});
        assertThatThrownBy(() -> Fvecs.readFloats(file)).hasMessageContaining("truncated");
    }
}
