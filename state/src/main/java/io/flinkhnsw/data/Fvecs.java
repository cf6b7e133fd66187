package io.flinkhnsw.data;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and writes the fvecs/ivecs formats of the ANN benchmark sets: for each row a little-endian
 * int32 dimension, then that many little-endian float32 (fvecs) or int32 (ivecs) values.
 */
public final class Fvecs {
    private Fvecs() {
    }

    public static float[][] readFloats(Path file) throws IOException {
        List<float[]> rows = new ArrayList<>();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            byte[] head = new byte[4];
            while (readRow(in, head, file)) {
                int dim = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getInt();
                checkDimension(dim, file, rows.size());
                byte[] body = readFully(in, dim * 4, file);
                float[] row = new float[dim];
                ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(row);
                rows.add(row);
            }
        }
        return rows.toArray(new float[0][]);
    }

    public static int[][] readInts(Path file) throws IOException {
        List<int[]> rows = new ArrayList<>();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            byte[] head = new byte[4];
            while (readRow(in, head, file)) {
                int dim = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getInt();
                checkDimension(dim, file, rows.size());
                byte[] body = readFully(in, dim * 4, file);
                int[] row = new int[dim];
                ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(row);
                rows.add(row);
            }
        }
        return rows.toArray(new int[0][]);
    }

    public static void writeFloats(Path file, float[][] rows) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            for (float[] row : rows) {
                ByteBuffer b = ByteBuffer.allocate(4 + 4 * row.length).order(ByteOrder.LITTLE_ENDIAN);
                b.putInt(row.length);
                b.asFloatBuffer().put(row);
                out.write(b.array());
            }
        }
    }

    public static void writeInts(Path file, int[][] rows) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            for (int[] row : rows) {
                ByteBuffer b = ByteBuffer.allocate(4 + 4 * row.length).order(ByteOrder.LITTLE_ENDIAN);
                b.putInt(row.length);
                b.asIntBuffer().put(row);
                out.write(b.array());
            }
        }
    }

    /** False at a clean end of file; throws on a row cut inside its dimension field. */
    private static boolean readRow(InputStream in, byte[] head, Path file) throws IOException {
        int n = in.readNBytes(head, 0, 4);
        if (n == 0) {
            return false;
        }
        if (n < 4) {
            throw new EOFException(file + ": truncated row header");
        }
        return true;
    }

    private static byte[] readFully(InputStream in, int bytes, Path file) throws IOException {
        byte[] body = new byte[bytes];
        try {
            new DataInputStream(in).readFully(body);
        } catch (EOFException e) {
            throw new EOFException(file + ": truncated row (expected " + bytes + " bytes)");
        }
        return body;
    }

    private static void checkDimension(int dim, Path file, int row) throws IOException {
        if (dim < 1 || dim > 1 << 16) {
            throw new IOException(file + ": row " + row + " has implausible dimension " + dim
                    + " (is this an fvecs/ivecs file?)");
        }
    }
}
