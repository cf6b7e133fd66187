package io.flinkhnsw.job.tools;

import io.flinkhnsw.hnsw.KeyIndex;
import io.flinkhnsw.job.codec.VectorEncoding;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chaos test's soak stream: repeatable by seed, graph keys past the flat limit (a sharded key past
 * it in each of its shards), a query last on every key.
 */
class EventPlanTest {
    private static final float[][] BASE = vectors(500, 8, 1);
    private static final float[][] QUERIES = vectors(20, 8, 2);

    private static float[][] vectors(int n, int dim, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] v = new float[n][dim];
        for (float[] row : v) for (int i = 0; i < dim; i++) row[i] = (float) r.nextDouble();
        return v;
    }

    private static EventPlan soak(long seed) {
        return EventPlan.soak(BASE, QUERIES, 10, 1, 1, 2, 12000, seed, 5, VectorEncoding.JSON);
    }

    private static String text(EventPlan.Item it) {
        return new String(it.key, StandardCharsets.UTF_8) + "|" + new String(it.value, StandardCharsets.UTF_8);
    }

    @Test
    void theSameSeedGivesTheSameStreamAnotherSeedAnother() {
        EventPlan a = soak(7);
        EventPlan b = soak(7);
        assertThat(a.items).extracting(EventPlanTest::text).containsExactlyElementsOf(b.items.stream().map(EventPlanTest::text).toList());
        assertThat(soak(8).items).extracting(EventPlanTest::text).isNotEqualTo(a.items.stream().map(EventPlanTest::text).toList());
    }

    @Test
    void mixesEveryKindGrowsTheGraphKeysPastTheFlatLimitAndEndsEachKeyWithAQuery() {
        EventPlan p = soak(7);
        assertThat(p.items.size()).isGreaterThanOrEqualTo(12000);
        assertThat(p.upserts).isGreaterThan(0);
        assertThat(p.replaces).isGreaterThan(0);
        assertThat(p.deletes).isGreaterThan(0);
        assertThat(p.bad).isGreaterThan(0);
        long queryIds = p.items.stream().filter(it -> new String(it.value, StandardCharsets.UTF_8).contains("\"queryId\"")).count();
        assertThat(p.queries).isEqualTo((int) queryIds);
        assertThat(vectorUpserts(p, "big-0")).isGreaterThan(KeyIndex.defaultFlatLimit(8));
        assertThat(vectorUpserts(p, "sharded-0")).isGreaterThan(2 * KeyIndex.defaultFlatLimit(8));
        Map<String, String> last = new HashMap<>();
        for (EventPlan.Item it : p.items) last.put(new String(it.key, StandardCharsets.UTF_8), new String(it.value, StandardCharsets.UTF_8));
        assertThat(last).hasSize(12);
        assertThat(last.values()).allSatisfy(v -> assertThat(v).contains("\"op\":\"query\"").contains("final-"));
    }

    private static long vectorUpserts(EventPlan p, String key) {
        return p.items.stream().map(EventPlanTest::text)
                .filter(t -> t.startsWith(key + "|") && t.contains("\"op\":\"upsert\"") && t.contains("\"vector\"")).count();
    }
}
