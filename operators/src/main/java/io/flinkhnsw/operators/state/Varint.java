package io.flinkhnsw.operators.state;

/**
 * Unsigned LEB128 varints for the non-negative ints of state values (slots, counts, lengths): values
 * below 2^21 take 3 bytes or fewer instead of 4, which shrinks the link lists every insert rewrites.
 */
final class Varint {
    private Varint() {
    }

    static int size(int v) {
        if (v < 0) {
            throw new IllegalArgumentException("negative value " + v + " in a varint field");
        }
        int n = 1;
        while ((v >>>= 7) != 0) {
            n++;
        }
        return n;
    }

    /** Writes {@code v} at {@code pos}; returns the position after it. */
    static int put(byte[] out, int pos, int v) {
        while ((v & ~0x7F) != 0) {
            out[pos++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out[pos++] = (byte) v;
        return pos;
    }

    /** Reads a varint at {@code pos[0]} and advances it. */
    static int get(byte[] in, int[] pos) {
        int v = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            byte b = in[pos[0]++];
            v |= (b & 0x7F) << shift;
            if (b >= 0) {
                return v;
            }
        }
        throw new IllegalStateException("malformed varint in a state value");
    }
}
