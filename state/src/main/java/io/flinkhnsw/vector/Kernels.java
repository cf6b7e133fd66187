package io.flinkhnsw.vector;

/**
 * Chooses the distance kernels once per JVM: the Vector API ones when {@code jdk.incubator.vector}
 * is in the boot layer (the JVM was started with {@code --add-modules jdk.incubator.vector}),
 * otherwise the scalar ones. {@code -Dflinkhnsw.kernels=scalar} forces the fallback. The choice is
 * a static final so the JIT inlines it into every distance call.
 */
public final class Kernels {
    private static final VectorKernels BEST = choose();

    private Kernels() {
    }

    public static VectorKernels best() {
        return BEST;
    }

    /** True when {@link #vectorApi()} can be called. */
    public static boolean vectorApiAvailable() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    /** The Vector API kernels; fails when the module is absent. */
    public static VectorKernels vectorApi() {
        if (!vectorApiAvailable()) {
            throw new IllegalStateException("jdk.incubator.vector is not in the boot layer: start the JVM with "
                    + "--add-modules jdk.incubator.vector");
        }
        try {
            return (VectorKernels) Class.forName("io.flinkhnsw.vector.PanamaKernels")
                    .getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalStateException("Vector API kernels could not be loaded", e);
        }
    }

    private static VectorKernels choose() {
        if ("scalar".equals(System.getProperty("flinkhnsw.kernels")) || !vectorApiAvailable()) {
            return new ScalarKernels();
        }
        try {
            return vectorApi();
        } catch (IllegalStateException e) {
            return new ScalarKernels();
        }
    }
}
