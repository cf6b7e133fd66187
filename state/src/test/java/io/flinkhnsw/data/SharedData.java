package io.flinkhnsw.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A real test set in {@code shared/data} beside the project (base, queries, exact groundtruth),
 * found by walking up from the working directory (tests run in a module directory, CI in a fresh
 * clone with shared/ beside it).
 */
public final class SharedData {
    private static final String SIFT = "shared/data/sift-ngt5k-128-euclidean";
    private static final String GLOVE_TUNE = "shared/data/glove-tune-60k-100-angular";

    public final float[][] base;
    public final float[][] queries;
    public final int[][] groundtruth;

    private SharedData(Path dir) throws IOException {
        base = Fvecs.readFloats(dir.resolve("base.fvecs"));
        queries = Fvecs.readFloats(dir.resolve("query.fvecs"));
        groundtruth = Fvecs.readInts(dir.resolve("groundtruth.ivecs"));
    }

    /** 4.9k SIFT vectors (L2), 100 queries. */
    public static SharedData sift() {
        return load(SIFT);
    }

    /** 60k GloVe word vectors (cosine), 500 queries. */
    public static SharedData gloveTune() {
        return load(GLOVE_TUNE);
    }

    private static SharedData load(String set) {
        try {
            return new SharedData(directory(set));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path directory(String set) {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path candidate = d.resolve(set);
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("test data " + set + " not found above " + Path.of("").toAbsolutePath());
    }
}
