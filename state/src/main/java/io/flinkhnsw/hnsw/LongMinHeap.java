package io.flinkhnsw.hnsw;

import java.util.Arrays;

/**
 * A binary min-heap of primitive longs (encoded {@link ScoredNode}s), growing as needed. Used as a
 * max-heap by pushing bitwise complements, which reverse the signed order.
 */
final class LongMinHeap {
    private long[] heap;
    private int size;

    LongMinHeap(int initialCapacity) {
        heap = new long[Math.max(4, initialCapacity)];
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    void clear() {
        size = 0;
    }

    long peek() {
        assert size > 0;
        return heap[0];
    }

    void push(long value) {
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        long[] h = heap;
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            long p = h[parent];
            if (p <= value) {
                break;
            }
            h[i] = p;
            i = parent;
        }
        h[i] = value;
    }

    long pop() {
        assert size > 0;
        long top = heap[0];
        long last = heap[--size];
        if (size > 0) {
            siftDown(last);
        }
        return top;
    }

    /** Replaces the top with {@code value}; cheaper than pop then push. */
    void replaceTop(long value) {
        assert size > 0;
        siftDown(value);
    }

    /** Puts {@code value} at the root's place and moves it down until the heap order holds. */
    private void siftDown(long value) {
        long[] h = heap;
        int n = size;
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= n) {
                break;
            }
            long c = h[child];
            int right = child + 1;
            if (right < n && h[right] < c) {
                child = right;
                c = h[right];
            }
            if (value <= c) {
                break;
            }
            h[i] = c;
            i = child;
        }
        h[i] = value;
    }
}
