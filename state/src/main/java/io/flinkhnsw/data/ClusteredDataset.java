package io.flinkhnsw.data;

import java.util.SplittableRandom;

/**
 * Generates a Gaussian-mixture vector set: {@code clusters} centres drawn uniformly in [-1, 1]^dim,
 * each vector a centre plus isotropic noise of the given spread. Such sets behave much more like
 * real embeddings for nearest-neighbour search than uniform noise does. Deterministic per seed.
 */
public final class ClusteredDataset {
    private final float[][] centres;
    private final float spread;
    private final SplittableRandom random;

    public ClusteredDataset(int dim, int clusters, float spread, long seed) {
        if (dim < 1 || clusters < 1) {
            throw new IllegalArgumentException("dim and clusters must be positive");
        }
        this.random = new SplittableRandom(seed);
        this.spread = spread;
        this.centres = new float[clusters][dim];
        for (float[] c : centres) {
            for (int i = 0; i < dim; i++) {
                c[i] = (float) (random.nextDouble() * 2 - 1);
            }
        }
    }

    private ClusteredDataset(float[][] centres, float spread, SplittableRandom random) {
        this.centres = centres;
        this.spread = spread;
        this.random = random;
    }

    /**
     * Another stream from the same centres and spread, whose vectors are independent of this one's:
     * new points of the same distribution without generating this stream to its end.
     */
    public ClusteredDataset fork() {
        return new ClusteredDataset(centres, spread, random.split());
    }

    /** The next {@code count} vectors of the stream. */
    public float[][] next(int count) {
        return next(count, null);
    }

    /**
     * The next {@code count} vectors of the stream, and into {@code clusters} (when not null) the
     * cluster each was drawn from: labels for a classification test such as a kNN vote.
     */
    public float[][] next(int count, int[] clusters) {
        float[][] out = new float[count][];
        for (int r = 0; r < count; r++) {
            int cluster = random.nextInt(centres.length);
            if (clusters != null) {
                clusters[r] = cluster;
            }
            float[] c = centres[cluster];
            float[] v = new float[c.length];
            for (int i = 0; i < v.length; i++) {
                v[i] = c[i] + (float) (gaussian() * spread);
            }
            out[r] = v;
        }
        return out;
    }

    private double gaussian() {
        // Box-Muller: SplittableRandom has no nextGaussian on Java 17.
        double u = 1.0 - random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
