package io.flinkhnsw.operators;

import io.flinkhnsw.vector.Metric;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Finds the standing queries a vector can affect without looking at every one: the subscriptions
 * whose radius (the distance to the last of their kept candidates) reaches the vector. Subscription
 * vectors are grouped around pivots (subscription vectors themselves; a new subscription becomes a
 * pivot while there are fewer than √n of them, otherwise joins its nearest), and each pivot keeps
 * its reach, an upper bound of {@code e(q, pivot) + radius(q)} over its members in Euclidean
 * distance e. By the triangle inequality a vector x farther than the reach from a pivot is outside
 * every member's radius, and within a group a member with {@code |e(x, pivot) - e(q, pivot)|} beyond
 * its radius is too; so {@link #within} returns a superset of the affected subscriptions,
 * which the caller tests exactly. Reaches only grow when radii do ({@link #radiusChanged}) and are
 * tightened to the true maximum whenever a group is scanned. Euclidean distance is √d for squared
 * L2 and √(2d) for cosine (1 - cos of unit vectors); inner product is not a metric, so under it
 * every subscription is visited. Not persisted: rebuilt when a key's subscriptions are loaded.
 */
final class SubscriptionIndex {
    /** Below this many subscriptions a plain scan is as fast. */
    static final int MIN_INDEXED = 64;
    /** Relative and absolute slack on every bound, so float rounding never drops an affected subscription. */
    private static final float SLACK = 1e-4f;
    /** Pivots grow as 4√n: small groups keep the reaches near the radii themselves. */
    private static final long PIVOTS_SQUARED_PER_SUBSCRIPTION = 16;

    private final Metric metric;
    private final List<float[]> pivots = new ArrayList<>();
    private final List<Group> groups = new ArrayList<>();
    private float[] reach = new float[16];
    private final Set<Subscription> all = new LinkedHashSet<>();
    private final ArrayList<Subscription> found = new ArrayList<>();

    SubscriptionIndex(Metric metric) {
        this.metric = metric;
    }

    void add(Subscription s) {
        all.add(s);
        if (metric == Metric.INNER_PRODUCT) {
            return;
        }
        if (pivots.isEmpty() || (long) pivots.size() * pivots.size() < PIVOTS_SQUARED_PER_SUBSCRIPTION * all.size()) {
            pivots.add(s.vector);
            groups.add(new Group());
            if (reach.length < pivots.size()) {
                reach = Arrays.copyOf(reach, 2 * reach.length);
            }
            join(s, pivots.size() - 1, 0f);
            return;
        }
        int nearest = 0;
        float best = Float.POSITIVE_INFINITY;
        for (int p = 0; p < pivots.size(); p++) {
            float e = euclid(s.vector, pivots.get(p));
            if (e < best) {
                best = e;
                nearest = p;
            }
        }
        join(s, nearest, best);
    }

    private void join(Subscription s, int pivot, float distance) {
        s.pivot = pivot;
        groups.get(pivot).add(s, distance, euclidRadius(s));
        radiusChanged(s);
    }

    void remove(Subscription s) {
        all.remove(s);
        if (s.pivot >= 0) {
            groups.get(s.pivot).remove(s);
        }
    }

    /**
     * After {@code s}'s list changed and its vector stayed: its radius in its group is the record's
     * again, and its group's reach covers it (reaches only grow here; a scan tightens them).
     */
    void radiusChanged(Subscription s) {
        if (s.pivot >= 0) {
            Group g = groups.get(s.pivot);
            float r = euclidRadius(s);
            g.radius[s.slot] = r;
            reach[s.pivot] = Math.max(reach[s.pivot], g.pivotDistance[s.slot] + r);
        }
    }

    /**
     * After {@code s}'s vector changed (a followed item moved): it joins the group of its new vector.
     */
    void vectorChanged(Subscription s) {
        if (s.pivot >= 0) {
            remove(s);
            add(s);
        }
    }

    /**
     * Every subscription that may have {@code x} within its radius (inclusive), a superset of those
     * that do; under inner product, or with few subscriptions, all of them. The list is this index's
     * scratch, valid until the next call: one event visits up to every subscription, and a list
     * grown afresh for each copied that many references several times over.
     */
    List<Subscription> within(float[] x) {
        found.clear();
        if (metric == Metric.INNER_PRODUCT || all.size() < MIN_INDEXED) {
            found.addAll(all);
            return found;
        }
        for (int p = 0; p < pivots.size(); p++) {
            float e = euclid(x, pivots.get(p));
            if (e > widen(reach[p])) {
                continue;
            }
            Group g = groups.get(p);
            float tightened = 0;
            for (int i = 0; i < g.size; i++) {
                float r = g.radius[i];
                if (Math.abs(e - g.pivotDistance[i]) <= widen(r)) {
                    found.add(g.members[i]);
                }
                tightened = Math.max(tightened, g.pivotDistance[i] + r);
            }
            reach[p] = tightened;
        }
        return found;
    }

    /**
     * The members of one pivot's group as parallel arrays, so the bounds are checked without reading
     * the records: each member's distance to the pivot and its radius (Euclidean), set whenever its
     * record changes ({@link #radiusChanged}).
     */
    private static final class Group {
        Subscription[] members = new Subscription[4];
        float[] pivotDistance = new float[4];
        float[] radius = new float[4];
        int size;

        void add(Subscription s, float distance, float r) {
            if (size == members.length) {
                members = Arrays.copyOf(members, 2 * size);
                pivotDistance = Arrays.copyOf(pivotDistance, 2 * size);
                radius = Arrays.copyOf(radius, 2 * size);
            }
            s.slot = size;
            members[size] = s;
            pivotDistance[size] = distance;
            radius[size] = r;
            size++;
        }

        /** Moves the last member into {@code s}'s slot. */
        void remove(Subscription s) {
            int i = s.slot;
            assert members[i] == s : "slot " + i + " holds " + members[i] + ", not " + s;
            int last = --size;
            members[i] = members[last];
            pivotDistance[i] = pivotDistance[last];
            radius[i] = radius[last];
            members[i].slot = i;
            members[last] = null;
            s.slot = -1;
        }
    }

    private static float widen(float bound) {
        return bound + SLACK * bound + SLACK;
    }

    private float euclidRadius(Subscription s) {
        float r = s.radius();
        return r == Float.POSITIVE_INFINITY ? r : toEuclid(r);
    }

    private float euclid(float[] a, float[] b) {
        return toEuclid(Subscription.distance(metric, a, b));
    }

    private float toEuclid(float d) {
        return (float) Math.sqrt(Math.max(0f, metric == Metric.L2 ? d : 2 * d));
    }
}
