package io.flinkhnsw.operators;

import io.flinkhnsw.vector.Metric;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

class SubscriptionIndexTest {
    private static final int DIM = 12;

    /**
     * Through adds, removes, moved vectors and changing radii (some exactly at the vector looked
     * up), {@code forEachWithin} hands over exactly the subscriptions a brute-force pass over all of
     * them finds, each once, with the distances the maintainer computes.
     */
    @ParameterizedTest
    @EnumSource(Metric.class)
    void findsExactlyTheSubscriptionsWhoseRadiusReachesTheVector(Metric metric) {
        SplittableRandom rnd = new SplittableRandom(11);
        SubscriptionIndex index = new SubscriptionIndex(metric);
        Map<String, Subscription> live = new TreeMap<>();
        int reached = 0;
        int tested = 0;
        for (int step = 0; step < 3000; step++) {
            int roll = rnd.nextInt(10);
            if (roll < 4 || live.size() < 10) {
                Subscription s = new Subscription(new ListIds(), "s-" + step, null, vector(rnd, metric), 1 + rnd.nextInt(3), 0, null);
                index.add(s);
                live.put(s.id, s);
                setRadius(index, s, rnd, metric);
            } else if (roll < 5) {
                index.remove(live.remove(any(live, rnd)));
            } else if (roll < 6) {
                Subscription s = live.get(any(live, rnd));
                s.vector = vector(rnd, metric);
                index.vectorChanged(s);
            } else if (roll < 8) {
                setRadius(index, live.get(any(live, rnd)), rnd, metric);
            } else {
                float[] x = vector(rnd, metric);
                // one subscription's radius exactly at x: the inclusive bound must still find it
                Subscription edge = live.get(any(live, rnd));
                edge.reset(new String[]{"c"}, new float[]{edge.distanceTo(metric, x)}, 1, false);
                index.radiusChanged(edge);
                Map<Subscription, Float> expected = new HashMap<>();
                for (Subscription s : live.values()) {
                    float d = s.distanceTo(metric, x);
                    if (d <= s.radius()) {
                        expected.put(s, d);
                    }
                }
                Map<Subscription, Float> got = new HashMap<>();
                index.forEachWithin(x, (s, d) -> assertThat(got.put(s, d)).as("handed once").isNull());
                assertThat(got).isEqualTo(expected);
                reached += expected.size();
                tested += live.size();
            }
        }
        assertThat(reached).as("the radii reach some vectors and not others").isBetween(tested / 20, tested - tested / 20);
    }

    /** A list of one candidate at a random distance drawn around the typical one (sometimes complete: no radius). */
    private static void setRadius(SubscriptionIndex index, Subscription s, SplittableRandom rnd, Metric metric) {
        boolean complete = rnd.nextInt(8) == 0;
        float typical = metric == Metric.INNER_PRODUCT ? 0f : metric == Metric.L2 ? 2f * DIM / 3 : 1f;
        float d = metric == Metric.INNER_PRODUCT ? (float) (rnd.nextDouble() * 2 - 1) * DIM / 4
                : (float) (typical * rnd.nextDouble());
        s.reset(new String[]{"c"}, new float[]{d}, 1, complete);
        index.radiusChanged(s);
    }

    private static float[] vector(SplittableRandom rnd, Metric metric) {
        float[] v = new float[DIM];
        double norm = 0;
        for (int i = 0; i < DIM; i++) {
            v[i] = (float) (rnd.nextDouble() * 2 - 1);
            norm += v[i] * v[i];
        }
        if (metric.normalises()) {
            for (int i = 0; i < DIM; i++) {
                v[i] /= (float) Math.sqrt(norm);
            }
        }
        return v;
    }

    private static String any(Map<String, Subscription> live, SplittableRandom rnd) {
        return new ArrayList<>(live.keySet()).get(rnd.nextInt(live.size()));
    }
}
