package io.flinkhnsw.job.local;

/** Progress lines on stderr, stamped with seconds since start; stdout is kept for the summary line. */
public final class Progress {
    private final long start = System.nanoTime();

    public void say(String message) {
        System.err.printf("[%6.1fs] %s%n", seconds(), message);
    }

    public double seconds() {
        return (System.nanoTime() - start) / 1e9;
    }
}
