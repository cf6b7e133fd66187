package io.flinkhnsw.operators;

import io.flinkhnsw.hnsw.KeyIndex;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Function;

/**
 * What a query by id or by examples searches with, from the vectors its key stores: the vector of
 * {@code id}; or the average vector of the examples as Qdrant's {@code average_vector} strategy
 * defines it, 2 avg(like) - avg(unlike), or avg(like) without {@code unlike}. Stored vectors are as
 * the metric keeps them (unit length under cosine), and the search prepares the result for the
 * metric again (normalises it under cosine). The example ids are to be left out of the answer;
 * an example the key does not hold makes the whole query unanswerable ({@link #unknownId}).
 */
final class ExampleVector {
    /** The query vector; null when an example is unknown. */
    final float[] vector;
    /** The first example id the key does not hold; null when all are known. */
    final String unknownId;
    /** The distinct example ids, never to be returned as neighbours. */
    final Set<String> examples;

    private ExampleVector(float[] vector, String unknownId, Set<String> examples) {
        this.vector = vector;
        this.unknownId = unknownId;
        this.examples = examples;
    }

    /** The query vector of a query with {@code id} or {@code like}; {@code index} is null for a key with no index. */
    static ExampleVector of(KeyIndex index, IndexEvent query) {
        return index == null ? of(0, id -> null, query) : of(index.dimension(), index::vector, query);
    }

    /**
     * The query vector of a query with {@code id} or {@code like}, from {@code stored} (an id's
     * stored vector, or null) of a key of {@code dimension} (0 for a key with no vectors).
     */
    static ExampleVector of(int dimension, Function<String, float[]> stored, IndexEvent query) {
        Set<String> examples = new LinkedHashSet<>();
        String[] like = query.like != null ? query.like : new String[] {query.id};
        float[] sumLike = new float[dimension];
        float[] sumUnlike = query.unlike == null ? null : new float[sumLike.length];
        String unknown = add(stored, like, sumLike, examples);
        if (unknown == null && sumUnlike != null) {
            unknown = add(stored, query.unlike, sumUnlike, examples);
        }
        if (unknown != null) {
            return new ExampleVector(null, unknown, examples);
        }
        float[] v = new float[sumLike.length];
        // avg(like), or 2 avg(like) - avg(unlike)
        float likeScale = (sumUnlike == null ? 1f : 2f) / like.length;
        float unlikeScale = sumUnlike == null ? 0f : 1f / query.unlike.length;
        for (int i = 0; i < v.length; i++) {
            v[i] = sumLike[i] * likeScale - (sumUnlike == null ? 0f : sumUnlike[i] * unlikeScale);
        }
        return new ExampleVector(v, null, examples);
    }

    /** Adds the stored vectors of {@code ids} to {@code sum}; returns the first id not held, or null. */
    private static String add(Function<String, float[]> stored, String[] ids, float[] sum, Set<String> examples) {
        for (String id : ids) {
            float[] v = sum.length == 0 ? null : stored.apply(id);
            if (v == null) {
                return id;
            }
            for (int i = 0; i < sum.length; i++) {
                sum[i] += v[i];
            }
            examples.add(id);
        }
        return null;
    }
}
