package io.flinkhnsw.hnsw;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * The full-precision vectors of a quantized graph, by slot, in direct memory (off the Java heap):
 * written once per node, read to re-rank a search's best candidates and wherever an exact vector
 * is needed (write-back, more-like-this). Chunks of {@link #CHUNK_SLOTS} slots, so growing never
 * copies more than the first chunk and no buffer nears the 2 GB limit of one {@link ByteBuffer};
 * the first chunk starts small and grows, so a small graph takes little. Direct buffers are freed
 * when the graph is collected. Reads may run on several threads at once while nothing writes.
 */
final class OffHeapVectors {
    static final int CHUNK_SLOTS = 1024;
    private static final int FIRST_CHUNK_SLOTS = 64;

    private final int dim;
    private FloatBuffer[] chunks = new FloatBuffer[0];
    private int firstChunkSlots;

    OffHeapVectors(int dim) {
        this.dim = dim;
    }

    /** Stores {@code vector[offset..offset+dim)} as the vector of {@code slot}. */
    void write(int slot, float[] vector, int offset) {
        ensureSlot(slot);
        chunks[slot / CHUNK_SLOTS].put((slot % CHUNK_SLOTS) * dim, vector, offset, dim);
    }

    /** Copies the vector of {@code slot} into {@code out[0..dim)}. */
    void read(int slot, float[] out) {
        chunks[slot / CHUNK_SLOTS].get((slot % CHUNK_SLOTS) * dim, out, 0, dim);
    }

    /** Direct memory held, in bytes. */
    long bytesUsed() {
        if (chunks.length == 0) {
            return 0;
        }
        return 4L * dim * (firstChunkSlots + (long) (chunks.length - 1) * CHUNK_SLOTS);
    }

    private void ensureSlot(int slot) {
        int chunk = slot / CHUNK_SLOTS;
        if (chunk == 0 && slot >= firstChunkSlots) {
            int grown = Math.min(CHUNK_SLOTS, Math.max(FIRST_CHUNK_SLOTS, Math.max(slot + 1, firstChunkSlots * 2)));
            FloatBuffer first = allocate(grown);
            if (chunks.length > 0) {
                FloatBuffer old = chunks[0].duplicate();
                old.clear();
                first.put(0, old, 0, firstChunkSlots * dim);
            } else {
                chunks = new FloatBuffer[1];
            }
            chunks[0] = first;
            firstChunkSlots = grown;
        }
        if (chunk >= chunks.length) {
            if (firstChunkSlots < CHUNK_SLOTS) {
                ensureSlot(CHUNK_SLOTS - 1);
            }
            int old = chunks.length;
            chunks = Arrays.copyOf(chunks, chunk + 1);
            for (int c = old; c <= chunk; c++) {
                chunks[c] = allocate(CHUNK_SLOTS);
            }
        }
    }

    private FloatBuffer allocate(int slots) {
        return ByteBuffer.allocateDirect(slots * dim * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }
}
