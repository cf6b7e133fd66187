package io.flinkhnsw.hnsw;

/**
 * The tombstones waiting for repair, oldest deletion first. Each carries the deletion sequence
 * number it was stored with, so loading a graph rebuilds this queue in exactly this order. A ring
 * buffer of ints and longs: no object per entry.
 */
final class TombstoneQueue {
    private int[] nodes = new int[16];
    private long[] sequences = new long[16];
    private int head;
    private int size;

    void add(int node, long sequence) {
        assert size == 0 || sequence > sequences[(head + size - 1) & (nodes.length - 1)];
        if (size == nodes.length) {
            grow();
        }
        int slot = (head + size) & (nodes.length - 1);
        nodes[slot] = node;
        sequences[slot] = sequence;
        size++;
    }

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }

    /** The oldest tombstone; the queue must not be empty. */
    int peek() {
        assert size > 0;
        return nodes[head];
    }

    void poll() {
        assert size > 0;
        head = (head + 1) & (nodes.length - 1);
        size--;
    }

    /** The i-th oldest tombstone. */
    int node(int i) {
        return nodes[(head + i) & (nodes.length - 1)];
    }

    /** The deletion sequence of the i-th oldest tombstone. */
    long sequence(int i) {
        return sequences[(head + i) & (nodes.length - 1)];
    }

    void clear() {
        head = 0;
        size = 0;
    }

    long ramBytesUsed() {
        return 16 + 4L * nodes.length + 16 + 8L * sequences.length;
    }

    private void grow() {
        int capacity = nodes.length;
        int[] n = new int[capacity * 2];
        long[] s = new long[capacity * 2];
        for (int i = 0; i < size; i++) {
            n[i] = nodes[(head + i) & (capacity - 1)];
            s[i] = sequences[(head + i) & (capacity - 1)];
        }
        nodes = n;
        sequences = s;
        head = 0;
    }
}
