package io.flinkhnsw.operators;

import io.flinkhnsw.vector.Kernels;
import io.flinkhnsw.vector.Metric;
import io.flinkhnsw.vector.ScaledCodes;
import io.flinkhnsw.vector.VectorKernels;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Finds the standing queries a vector affects without reading every subscription's record: those
 * whose radius (the distance to the last of their kept candidates, inclusive) reaches the vector,
 * each with its exact distance. Subscriptions are grouped around pivots (subscription vectors
 * themselves; a new subscription becomes a pivot while there are fewer than √n of them, otherwise
 * joins its nearest, and each add moves two members, in turn, to their nearest pivot now). A
 * group's arrays hold each member's radius, its distance to the pivot and its offset from the
 * pivot as int8 codes, so {@link #forEachWithin} streams through a group instead of chasing one record
 * per member. In Euclidean distance e (√d for squared L2, √(2d) for cosine: 1 - cos of unit
 * vectors) each pivot keeps its reach, an upper bound of {@code e(q, pivot) + radius(q)} over its
 * members: by the triangle inequality a vector farther than the reach from a pivot is outside
 * every member's radius, a member with {@code |e(x, pivot) - e(q, pivot)|} beyond its radius is
 * too, and so is one whose decoded vector is farther than its radius plus its coding error. The
 * others are tested exactly with {@link Subscription#distance}, the kernel the maintainer uses,
 * so the answer is exact. Inner product is not a metric: under it every member is tested. Reaches
 * only grow when radii do ({@link #radiusChanged}) and are tightened whenever a group is scanned.
 * Not persisted: rebuilt when a key's subscriptions are loaded.
 */
final class SubscriptionIndex {
    private static final VectorKernels KERNELS = Kernels.best();
    /** Per member, beside its codes ({@link #codeBytes}): the reference and six floats of a group's arrays. */
    static final int MEMBER_BYTES = 8 + 6 * Float.BYTES;
    /** Members moved to their nearest pivot per subscription added. */
    private static final int REGROUPED_PER_ADD = 2;

    private final Metric metric;
    private final boolean bounded;
    private int dimension;
    private int size;
    /** The pivots' vectors, one after another. */
    private float[] pivots = new float[0];
    private float[] reach = new float[0];
    private final List<Group> groups = new ArrayList<>();
    private final ArrayList<Subscription> found = new ArrayList<>();
    /** The next member {@link #regroup} looks at: its group and slot. */
    private int cursorGroup;
    private int cursorSlot;
    private float[] foundDistance = new float[64];
    /** Codes per member: the dimension rounded up to the kernels' width, so a batch reads whole lanes. */
    private int stride;
    /** Scratch: the vector being looked up less a pivot (zeros beyond the dimension), and a scan's slots, their codes' offsets and dot products, and the slots surely inside their radius. */
    private float[] residual = new float[0];
    private int[] offsets = new int[0];
    private int[] slots = new int[0];
    private int[] inside = new int[0];
    private float[] dots = new float[0];
    /** Where the touch pass of {@link #scanBounded} leaves its sum, so its loads are not optimised away. */
    private float touched;

    SubscriptionIndex(Metric metric) {
        this.metric = metric;
        this.bounded = metric != Metric.INNER_PRODUCT;
    }

    void add(Subscription s) {
        if (size == 0) {
            dimension = s.vector.length;
            stride = codeBytes(dimension);
            residual = new float[stride];
        }
        assert s.vector.length == dimension : s.vector.length + " != " + dimension;
        size++;
        int pivotCount = groups.size();
        if (pivotCount == 0 || (bounded && (long) pivotCount * pivotCount < size)) {
            if (pivots.length < (pivotCount + 1) * dimension) {
                pivots = Arrays.copyOf(pivots, Math.max(dimension, 2 * pivots.length));
                reach = Arrays.copyOf(reach, Math.max(1, 2 * reach.length));
            }
            System.arraycopy(s.vector, 0, pivots, pivotCount * dimension, dimension);
            groups.add(new Group(dimension, stride));
            join(s, pivotCount);
            return;
        }
        join(s, nearestPivot(s.vector));
        regroup(REGROUPED_PER_ADD);
    }

    /** The bytes of a member's codes in a group for vectors of {@code dimension}. */
    static int codeBytes(int dimension) {
        int width = KERNELS.packedWidth();
        return (dimension + width - 1) / width * width;
    }

    /** The pivot nearest to {@code v}; 0 when there is no bound. */
    private int nearestPivot(float[] v) {
        int nearest = 0;
        float best = Float.POSITIVE_INFINITY;
        if (bounded) {
            for (int p = 0; p < groups.size(); p++) {
                float e = euclidToPivot(v, p);
                if (e < best) {
                    best = e;
                    nearest = p;
                }
            }
        }
        return nearest;
    }

    /**
     * Moves up to {@code count} members, taken in turn by a cursor that cycles through the groups,
     * to their nearest pivot: a member joined the nearest of the pivots there were when it came, and
     * pivots added since may be nearer, which keeps groups compact and their reaches short.
     */
    private void regroup(int count) {
        for (int steps = 0; count > 0 && steps < count + groups.size(); steps++) {
            if (cursorGroup >= groups.size()) {
                cursorGroup = 0;
                cursorSlot = 0;
            }
            Group g = groups.get(cursorGroup);
            if (cursorSlot >= g.size) {
                cursorGroup++;
                cursorSlot = 0;
                continue;
            }
            count--;
            Subscription s = g.members[cursorSlot];
            int nearest = nearestPivot(s.vector);
            if (nearest == cursorGroup) {
                cursorSlot++;
            } else {
                // the group's last member moves into this slot and is looked at next
                g.remove(s);
                join(s, nearest);
            }
        }
    }

    private void join(Subscription s, int pivot) {
        s.pivot = pivot;
        groups.get(pivot).add(s, bounded ? euclidToPivot(s.vector, pivot) : Float.POSITIVE_INFINITY, pivots,
                pivot * dimension);
        radiusChanged(s);
    }

    void remove(Subscription s) {
        groups.get(s.pivot).remove(s);
        s.pivot = -1;
        if (--size == 0) {
            groups.clear();
            cursorGroup = 0;
            cursorSlot = 0;
            pivots = new float[0];
            reach = new float[0];
        }
    }

    /**
     * After {@code s}'s list changed and its vector stayed: its radius in its group is the record's
     * again, and its group's reach covers it (reaches only grow here; a scan tightens them).
     */
    void radiusChanged(Subscription s) {
        Group g = groups.get(s.pivot);
        float r = s.radius();
        float e = toEuclid(r);
        g.radius[s.slot] = r;
        g.euclidRadius[s.slot] = e;
        reach[s.pivot] = Math.max(reach[s.pivot], g.pivotDistance[s.slot] + e);
    }

    /** After {@code s}'s vector changed (a followed item moved): it joins the group of its new vector. */
    void vectorChanged(Subscription s) {
        remove(s);
        add(s);
    }

    /**
     * Hands {@code to} the subscriptions whose radius reaches {@code x} (distance ≤ radius), each with
     * its exact distance to {@code x}, in no particular order: one group at a time, right after the
     * group is scanned, while the records the scan touched are still in cache. {@code to} may change
     * the radius of the subscription it is given ({@link #radiusChanged}), which moves nothing
     * between groups, but must not add, remove or look up subscriptions here.
     */
    void forEachWithin(float[] x, Reached to) {
        for (int p = 0; p < groups.size(); p++) {
            Group g = groups.get(p);
            if (g.size == 0) {
                continue;
            }
            found.clear();
            if (!bounded) {
                scanExact(g, x);
            } else {
                float e = euclidToPivot(x, p);
                if (e > ScaledCodes.widen(reach[p])) {
                    continue;
                }
                reach[p] = scanBounded(g, p, x, e);
            }
            for (int i = 0; i < found.size(); i++) {
                to.reached(found.get(i), foundDistance[i]);
            }
        }
        found.clear();
    }

    /** Receives a subscription whose radius reaches the vector looked up, and its exact distance to it. */
    interface Reached {
        void reached(Subscription s, float distance);
    }

    /**
     * Scans a group whose pivot is {@code e} from {@code x}; returns the group's reach, tightened.
     * A member passing the pivot bound is then bounded by its code: with q' its decoded vector,
     * e(x, q) ≥ e(x, q') - e(q, q'), and e(x, q')² = |y|² - 2·scale·(y·code) + scale²·|code|² for
     * y = x - pivot, so one int8 dot product per member, over a quarter of the bytes of its vector,
     * leaves only the members near their radius to the exact test. A member whose radius covers
     * e(x, pivot) + e(q, pivot) is inside it by the triangle inequality and goes to the exact test,
     * which gives its distance, without a code bound.
     */
    private float scanBounded(Group g, int pivot, float[] x, float e) {
        float[] y = residual;
        float yy = 0;
        for (int j = 0, o = pivot * dimension; j < dimension; j++) {
            y[j] = x[j] - pivots[o + j];
            yy += y[j] * y[j];
        }
        if (offsets.length < g.size) {
            offsets = new int[g.members.length];
            slots = new int[g.members.length];
            inside = new int[g.members.length];
            dots = new float[g.members.length];
        }
        float tightened = 0;
        int n = 0;
        int sure = 0;
        for (int i = 0; i < g.size; i++) {
            float r = g.euclidRadius[i];
            float pd = g.pivotDistance[i];
            tightened = Math.max(tightened, pd + r);
            if (ScaledCodes.widen(e + pd) <= r) {
                // inside the radius by the triangle inequality: no code can rule it out
                inside[sure++] = i;
            } else if (Math.abs(e - pd) <= ScaledCodes.widen(r)) {
                slots[n] = i;
                offsets[n++] = i * stride;
            }
        }
        KERNELS.dotInt8Batch(y, 0, g.codes, offsets, n, stride, dots);
        int near = 0;
        for (int j = 0; j < n; j++) {
            int i = slots[j];
            if (ScaledCodes.mayReach(yy, dots[j], g.scale[i], g.scaledCodeNorm[i], g.codeError[i],
                    ScaledCodes.widen(g.euclidRadius[i]))) {
                slots[near++] = i;
            }
        }
        System.arraycopy(inside, 0, slots, near, sure);
        near += sure;
        // the exact tests read each record and its vector, scattered over the heap: touching them all
        // first, in a loop whose loads do not depend on each other, puts their cache misses in flight together
        float touch = 0;
        for (int j = 0; j < near; j++) {
            Subscription s = g.members[slots[j]];
            touch += s.vector[0] + s.vector[s.vector.length - 1] + s.listTouch();
        }
        touched = touch;
        for (int j = 0; j < near; j++) {
            test(g, slots[j], x);
        }
        return tightened;
    }

    private void scanExact(Group g, float[] x) {
        for (int i = 0; i < g.size; i++) {
            test(g, i, x);
        }
    }

    private void test(Group g, int i, float[] x) {
        Subscription s = g.members[i];
        float d = s.distanceTo(metric, x);
        if (d <= g.radius[i]) {
            int n = found.size();
            if (n == foundDistance.length) {
                foundDistance = Arrays.copyOf(foundDistance, 2 * n);
            }
            foundDistance[n] = d;
            found.add(s);
        }
    }

    /**
     * The members of one pivot's group as parallel arrays, so a scan reads no records until a
     * member is near its radius: each member's radius (in the metric's distance and as Euclidean
     * distance), its Euclidean distance to the pivot, set whenever its record changes
     * ({@link #radiusChanged}); and its vector's offset from the pivot as int8 codes with one scale
     * (the largest component / 127), with the codes' squared norm times scale² and the Euclidean
     * distance between the vector and its decoded form, rounded up.
     */
    private static final class Group {
        private final int dimension;
        private final int stride;
        Subscription[] members = new Subscription[4];
        byte[] codes;
        float[] scale = new float[4];
        float[] scaledCodeNorm = new float[4];
        float[] codeError = new float[4];
        float[] pivotDistance = new float[4];
        float[] radius = new float[4];
        float[] euclidRadius = new float[4];
        int size;

        Group(int dimension, int stride) {
            this.dimension = dimension;
            this.stride = stride;
            this.codes = new byte[4 * stride];
        }

        void add(Subscription s, float distance, float[] pivots, int pivotOffset) {
            if (size == members.length) {
                int grown = 2 * size;
                members = Arrays.copyOf(members, grown);
                codes = Arrays.copyOf(codes, grown * stride);
                scale = Arrays.copyOf(scale, grown);
                scaledCodeNorm = Arrays.copyOf(scaledCodeNorm, grown);
                codeError = Arrays.copyOf(codeError, grown);
                pivotDistance = Arrays.copyOf(pivotDistance, grown);
                radius = Arrays.copyOf(radius, grown);
                euclidRadius = Arrays.copyOf(euclidRadius, grown);
            }
            s.slot = size;
            members[size] = s;
            ScaledCodes.encode(s.vector, 0, pivots, pivotOffset, dimension, codes, size * stride, scale,
                    scaledCodeNorm, codeError, size);
            pivotDistance[size] = distance;
            size++;
        }

        /** Moves the last member into {@code s}'s slot. */
        void remove(Subscription s) {
            int i = s.slot;
            assert members[i] == s : "slot " + i + " holds " + members[i] + ", not " + s;
            int last = --size;
            members[i] = members[last];
            System.arraycopy(codes, last * stride, codes, i * stride, stride);
            scale[i] = scale[last];
            scaledCodeNorm[i] = scaledCodeNorm[last];
            codeError[i] = codeError[last];
            pivotDistance[i] = pivotDistance[last];
            radius[i] = radius[last];
            euclidRadius[i] = euclidRadius[last];
            members[i].slot = i;
            members[last] = null;
            s.slot = -1;
        }
    }

    private float euclidToPivot(float[] x, int pivot) {
        return toEuclid(Subscription.distance(metric, pivots, pivot * dimension, x, dimension));
    }

    private float toEuclid(float d) {
        return d == Float.POSITIVE_INFINITY ? d : (float) Math.sqrt(Math.max(0f, metric == Metric.L2 ? d : 2 * d));
    }
}
