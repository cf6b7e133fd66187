package io.flinkhnsw.operators;

import io.flinkhnsw.filter.Filter;
import io.flinkhnsw.hnsw.Limits;
import io.flinkhnsw.hnsw.RamUsage;
import io.flinkhnsw.operators.state.FormatVersions;
import io.flinkhnsw.vector.Kernels;
import io.flinkhnsw.vector.Metric;
import io.flinkhnsw.vector.VectorKernels;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One standing query of a key and what it answers now: its vector (in the form the key's metric
 * stores vectors, unit length under cosine) or the id whose vector it follows, k, ef (0 = the key's
 * default), an optional filter (JSON text), the sequence of its next update, and a kept list of up
 * to {@link #keep()} = {@value #KEEP_FACTOR}·k candidates, nearest first, whose first k are the
 * members last pushed. The list keeps one promise (Yi et al., ICDE 2003): every live vector of the
 * key the filter accepts and the list does not hold is at least as far as the list's last entry,
 * or, when the list is {@code complete}, there is none. So an insert changes the answer only inside
 * {@link #radius()}, and a removed member is replaced from the list while it holds k. Encodes to a
 * definition record ({@link #encodeDefinition}, {@link FormatVersions#SUBSCRIPTION_V2}), written
 * when it starts or its vector moves, and a list record ({@link #encodeList}), written whenever
 * the list changes. The list holds its ids as {@link ListIds} handles, each entry one hold.
 */
final class Subscription {
    static final int KEEP_FACTOR = 2;
    private static final VectorKernels KERNELS = Kernels.best();
    private static final int FOLLOWS = 1;
    private static final int FILTERED = 1 << 1;
    private static final int COMPLETE = 1 << 2;

    final String id;
    /** The id whose stored vector this subscription follows; null for a fixed vector. */
    final String followed;
    final int k;
    final int ef;
    final String filter;
    float[] vector;
    long sequence;
    private final ListIds listIds;
    private int[] handles;
    private float[] distances;
    private int size;
    private boolean complete = true;
    /** The parsed filter, kept so an insert does not parse it again; null until first needed. */
    Filter parsedFilter;
    /** Its group in the {@link SubscriptionIndex} (-1: none) and its slot in the group's arrays. */
    int pivot = -1;
    int slot = -1;
    /** Whether its list, or its definition, changed since the book last wrote it. */
    boolean dirty;
    boolean definitionDirty;
    /** Whether it has ended (removed from its book). */
    boolean ended;

    Subscription(ListIds listIds, String id, String followed, float[] vector, int k, int ef, String filter) {
        this.listIds = listIds;
        this.id = id;
        this.followed = followed;
        this.vector = vector;
        this.k = k;
        this.ef = ef;
        this.filter = filter;
        this.handles = new int[keep() + 1];
        this.distances = new float[keep() + 1];
    }

    /** How many candidates the list keeps: {@value #KEEP_FACTOR}·k. */
    int keep() {
        return Math.min(Limits.MAX_K, KEEP_FACTOR * k);
    }

    /** How far an insert may be and still enter the list: the last entry's distance, unbounded while complete. */
    float radius() {
        return complete || size == 0 ? Float.POSITIVE_INFINITY : distances[size - 1];
    }

    /** True when removals left fewer than k in a list that was not complete: only a search can refill it. */
    boolean needsRefill() {
        return !complete && size < k;
    }

    boolean contains(String candidate) {
        int handle = listIds.find(candidate);
        return handle >= 0 && holds(handle);
    }

    /** Whether the list holds the id of {@code handle}. */
    boolean holds(int handle) {
        return rankOf(handle) >= 0;
    }

    private int rankOf(int handle) {
        for (int i = 0; i < size; i++) {
            if (handles[i] == handle) {
                return i;
            }
        }
        return -1;
    }

    /** Removes {@code candidate} from the list; false when it was not in it. */
    boolean remove(String candidate) {
        int handle = listIds.find(candidate);
        return handle >= 0 && remove(handle);
    }

    /** Removes the id of {@code handle} from the list; false when it was not in it. */
    boolean remove(int handle) {
        int i = rankOf(handle);
        if (i < 0) {
            return false;
        }
        System.arraycopy(handles, i + 1, handles, i, size - i - 1);
        System.arraycopy(distances, i + 1, distances, i, size - i - 1);
        size--;
        listIds.release(handle);
        return true;
    }

    /**
     * Offers a vector the list does not hold at distance {@code d}; it enters when nearer than the
     * radius (after the entries at the same distance), and the list drops its last entry beyond
     * {@link #keep()}, which ends its being complete. Returns the rank it entered at, or -1.
     */
    int offer(String candidate, float d) {
        if (!(d < radius())) {
            return -1;
        }
        int handle = listIds.acquire(candidate);
        int rank = offer(handle, d);
        listIds.release(handle);
        return rank;
    }

    /** As {@link #offer(String, float)} for the id of a held handle (the list takes a hold of its own). */
    int offer(int handle, float d) {
        assert !holds(handle) : listIds.id(handle);
        if (!(d < radius())) {
            return -1;
        }
        int at = size;
        while (at > 0 && distances[at - 1] > d) {
            at--;
        }
        System.arraycopy(handles, at, handles, at + 1, size - at);
        System.arraycopy(distances, at, distances, at + 1, size - at);
        handles[at] = handle;
        distances[at] = d;
        listIds.hold(handle);
        if (++size > keep()) {
            listIds.release(handles[--size]);
            complete = false;
        }
        return at;
    }

    /**
     * Replaces the list with a search's hits (ids and distances, nearest first; at most {@link #keep()});
     * {@code complete} when the search found fewer than it asked for, so no other vector qualifies.
     */
    void reset(String[] hitIds, float[] hitDistances, int n, boolean complete) {
        assert n <= keep();
        int[] taken = new int[n];
        for (int i = 0; i < n; i++) {
            taken[i] = listIds.acquire(hitIds[i]);
        }
        releaseAll();
        System.arraycopy(taken, 0, handles, 0, n);
        System.arraycopy(hitDistances, 0, distances, 0, n);
        this.size = n;
        this.complete = complete;
    }

    /** Empties the list, releasing its holds (a subscription that ends). */
    void releaseAll() {
        for (int i = 0; i < size; i++) {
            listIds.release(handles[i]);
        }
        size = 0;
    }

    /** A sum of the list's last entries, read to bring both its arrays into cache ahead of an {@link #offer}. */
    float listTouch() {
        int last = Math.max(0, size - 1);
        return distances[last] + handles[last];
    }

    /** The members: the first k of the list (fewer when the key has fewer). */
    int members() {
        return Math.min(k, size);
    }

    String memberId(int rank) {
        assert rank < members();
        return listIds.id(handles[rank]);
    }

    /** The id at {@code rank} of the whole kept list (members and candidates beyond them). */
    String keptId(int rank) {
        assert rank < size;
        return listIds.id(handles[rank]);
    }

    /** How many the kept list holds. */
    int kept() {
        return size;
    }

    float memberDistance(int rank) {
        assert rank < members();
        return distances[rank];
    }

    /** A copy of the members' ids. */
    String[] memberIds() {
        String[] ids = new String[members()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = listIds.id(handles[i]);
        }
        return ids;
    }

    /** A copy of the members' distances. */
    float[] memberDistances() {
        return Arrays.copyOf(distances, members());
    }

    /** The distance under {@code metric} between this subscription's vector and a stored vector. */
    float distanceTo(Metric metric, float[] stored) {
        return distance(metric, vector, stored);
    }

    static float distance(Metric metric, float[] a, float[] b) {
        return distance(metric, a, 0, b, a.length);
    }

    /** As {@link #distance(Metric, float[], float[])} for the {@code length} floats of {@code a} from {@code offset}. */
    static float distance(Metric metric, float[] a, int offset, float[] b, int length) {
        return metric == Metric.L2 ? KERNELS.squaredL2(a, offset, b, 0, length) : 1f - KERNELS.dot(a, offset, b, 0, length);
    }

    /**
     * Estimated heap bytes: the object, its vector and its list arrays (the ids the list holds are
     * counted by its {@link ListIds}); fixed for the subscription's life.
     */
    long ramBytesUsed() {
        return RamUsage.object(9 * RamUsage.REFERENCE + 32) + RamUsage.string(id.length())
                + (followed == null ? 0 : RamUsage.string(followed.length()))
                + (filter == null ? 0 : 2 * RamUsage.string(filter.length()))
                + RamUsage.floats(vector.length) + RamUsage.ints(handles.length) + RamUsage.floats(distances.length);
    }

    /**
     * The definition record, written when the subscription starts or its vector moves: version,
     * flags, k, ef, followed id, filter, vector (texts as length and UTF-8).
     */
    byte[] encodeDefinition() {
        byte[] followedUtf8 = followed == null ? null : followed.getBytes(StandardCharsets.UTF_8);
        byte[] filterUtf8 = filter == null ? null : filter.getBytes(StandardCharsets.UTF_8);
        int length = 1 + 1 + 2 + 4 + 2 + 4 * vector.length
                + (followedUtf8 == null ? 0 : 4 + followedUtf8.length) + (filterUtf8 == null ? 0 : 4 + filterUtf8.length);
        ByteBuffer out = ByteBuffer.allocate(length);
        out.put(FormatVersions.SUBSCRIPTION_V2);
        out.put((byte) ((followed != null ? FOLLOWS : 0) | (filter != null ? FILTERED : 0)));
        out.putShort((short) k);
        out.putInt(ef);
        putText(out, followedUtf8);
        putText(out, filterUtf8);
        out.putShort((short) vector.length);
        for (float f : vector) {
            out.putFloat(f);
        }
        assert !out.hasRemaining();
        return out.array();
    }

    /** The list record, written whenever the list changed: version, flags, sequence, the kept list (ids and distances). */
    byte[] encodeList() {
        byte[][] idsUtf8 = new byte[size][];
        int length = 1 + 1 + 8 + 2 + size * (4 + 4);
        for (int i = 0; i < size; i++) {
            idsUtf8[i] = keptId(i).getBytes(StandardCharsets.UTF_8);
            length += idsUtf8[i].length;
        }
        ByteBuffer out = ByteBuffer.allocate(length);
        out.put(FormatVersions.SUBSCRIPTION_LIST_V1);
        out.put((byte) (complete ? COMPLETE : 0));
        out.putLong(sequence);
        out.putShort((short) size);
        for (int i = 0; i < size; i++) {
            putText(out, idsUtf8[i]);
            out.putFloat(distances[i]);
        }
        assert !out.hasRemaining();
        return out.array();
    }

    private static void putText(ByteBuffer out, byte[] utf8) {
        if (utf8 != null) {
            out.putInt(utf8.length);
            out.put(utf8);
        }
    }

    /**
     * A subscription from its definition record: v2, whose list comes from {@link #applyList} (until
     * then empty and complete), or v1, which carries its list.
     */
    static Subscription decode(ListIds listIds, String id, byte[] record) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(record))) {
            byte version = in.readByte();
            if (version != FormatVersions.SUBSCRIPTION_V1 && version != FormatVersions.SUBSCRIPTION_V2) {
                throw FormatVersions.unsupported("subscription", version);
            }
            int flags = in.readUnsignedByte();
            int k = in.readUnsignedShort();
            int ef = in.readInt();
            long sequence = version == FormatVersions.SUBSCRIPTION_V1 ? in.readLong() : 0;
            String followed = (flags & FOLLOWS) != 0 ? readText(in) : null;
            String filter = (flags & FILTERED) != 0 ? readText(in) : null;
            float[] vector = new float[in.readUnsignedShort()];
            for (int i = 0; i < vector.length; i++) {
                vector[i] = in.readFloat();
            }
            Subscription s = new Subscription(listIds, id, followed, vector, k, ef, filter);
            if (version == FormatVersions.SUBSCRIPTION_V1) {
                s.readList(in, sequence, (flags & COMPLETE) != 0);
            }
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException("subscription record of " + id + " is damaged", e);
        }
    }

    /** Replaces the sequence and kept list with those of a list record. */
    void applyList(byte[] record) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(record))) {
            byte version = in.readByte();
            if (version != FormatVersions.SUBSCRIPTION_LIST_V1) {
                throw FormatVersions.unsupported("subscription list", version);
            }
            int flags = in.readUnsignedByte();
            readList(in, in.readLong(), (flags & COMPLETE) != 0);
        } catch (IOException e) {
            throw new UncheckedIOException("subscription list record of " + id + " is damaged", e);
        }
    }

    private void readList(DataInputStream in, long sequence, boolean complete) throws IOException {
        this.sequence = sequence;
        this.complete = complete;
        releaseAll();
        int n = in.readUnsignedShort();
        for (int i = 0; i < n; i++) {
            handles[i] = listIds.acquire(readText(in));
            distances[i] = in.readFloat();
            size++;
        }
    }

    private static String readText(DataInputStream in) throws IOException {
        byte[] utf8 = new byte[in.readInt()];
        in.readFully(utf8);
        return new String(utf8, StandardCharsets.UTF_8);
    }
}
