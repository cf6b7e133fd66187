package io.flinkhnsw.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The real SIFT test set in {@code shared/data} beside the project, found by walking up from the
 * working directory (tests run in a module directory, CI in a fresh clone with shared/ beside it).
 */
public final class SiftData {
    private static final String SET = "shared/data/sift-ngt5k-128-euclidean";

    public final float[][] base;
    public final float[][] queries;
    public final int[][] groundtruth;

    private SiftData(Path dir) throws IOException {
        base = Fvecs.readFloats(dir.resolve("base.fvecs"));
        queries = Fvecs.readFloats(dir.resolve("query.fvecs"));
        groundtruth = Fvecs.readInts(dir.resolve("groundtruth.ivecs"));
    }

    public static SiftData load() {
        try {
            return new SiftData(directory());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Path directory() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path candidate = d.resolve(SET);
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("test data " + SET + " not found above " + Path.of("").toAbsolutePath());
    }
}
