package io.flinkhnsw.hnsw;

/**
 * Draws a node's top layer as floor(-ln(U) * mL) with mL = 1/ln(M) (Malkov and Yashunin). U is a
 * pure function of the seed and the index's insert sequence number, not of a stateful random
 * generator, so a restored index draws exactly the levels the original would have.
 */
final class LevelGenerator {
    /** Levels above this are never drawn; with M >= 2 the chance of reaching it is below 2^-30. */
    static final int MAX_LEVEL = 30;

    private final long seed;
    private final double mL;

    LevelGenerator(long seed, int m) {
        this.seed = seed;
        this.mL = 1.0 / Math.log(m);
    }

    int level(long sequence) {
        long bits = mix(seed + sequence * 0x9E3779B97F4A7C15L);
        // U in (0, 1]: never 0, so the logarithm is finite.
        double u = ((bits >>> 11) + 1) * 0x1.0p-53;
        int level = (int) (-Math.log(u) * mL);
        return Math.min(level, MAX_LEVEL);
    }

    /** SplitMix64's finaliser: a good 64-bit mixing function. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
