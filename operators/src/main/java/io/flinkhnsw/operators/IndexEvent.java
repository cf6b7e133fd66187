package io.flinkhnsw.operators;

import org.apache.flink.api.common.typeinfo.TypeInfo;

import java.util.Arrays;
import java.util.Objects;

/**
 * One event for a keyed index: an upsert (id, vector, optional JSON payload; without a vector, a
 * payload-only update of an existing id), a delete (id), a query (queryId, k, optional ef, optional
 * payload filter, optional vote field, and what to search with: a vector, the stored vector of {@code id}, or the average of
 * example ids {@code like} / {@code unlike}), a get of one id's vector and payload, a subscribe
 * (a standing query: subscriptionId, a vector or a followed id, k, optional ef and filter) or
 * unsubscribe, or a drop of the whole key. A single class with an
 * {@link Op} tag rather than a class hierarchy; Flink serialises it with
 * {@link IndexEventSerializer} (see {@link IndexEventTypeInfo}). {@code sourceTopic/Partition/Offset}
 * say where the event came from, for dead letters; they are -1/null for events made in code.
 */
@TypeInfo(IndexEventTypeInfo.Factory.class)
public class IndexEvent {

    /** What an event asks of the index. */
    public enum Op { UPSERT, DELETE, QUERY, DROP, GET, SUBSCRIBE, UNSUBSCRIBE }

    public Op op;
    /** The partition key: the index this event belongs to. */
    public String key;
    /** Upsert, delete and get: the external vector id; query and subscribe: the id whose stored vector is the query. */
    public String id;
    /** Query: the id results are reported under. */
    public String queryId;
    /** Subscribe and unsubscribe: the standing query's id, the record key of its updates. */
    public String subscriptionId;
    /** Upsert and query. */
    public float[] vector;
    /** Upsert: a small JSON object stored with the vector and returned with results; may be null. */
    public String payload;
    /** Query: how many neighbours. */
    public int k;
    /** Query: beam width; 0 means the index's default. */
    public int ef;
    /** Query: the JSON text of a payload filter ({@code io.flinkhnsw.filter.Filter}); null for none. */
    public String filter;

    public String sourceTopic;
    public int sourcePartition = -1;
    public long sourceOffset = -1;

    /** Query: ids whose average vector is the query (see {@link ExampleVector}); null when it has none. */
    public String[] like;
    /** Query: ids to move away from (only with {@link #like}); may be null. */
    public String[] unlike;
    /** Query: the payload field whose majority over the neighbours is reported ({@link KnnVote}); null for none. */
    public String vote;
    /**
     * Query or get refused before the operator (by the job's decoder, which dead-lettered it): the
     * reason, which the operator only sends back as the request's error answer; null for every other event.
     */
    public String refusal;

    public IndexEvent() {
    }

    public static IndexEvent upsert(String key, String id, float[] vector, String payload) {
        IndexEvent e = new IndexEvent();
        e.op = Op.UPSERT;
        e.key = key;
        e.id = id;
        e.vector = vector;
        e.payload = payload;
        return e;
    }

    public static IndexEvent delete(String key, String id) {
        IndexEvent e = new IndexEvent();
        e.op = Op.DELETE;
        e.key = key;
        e.id = id;
        return e;
    }

    public static IndexEvent query(String key, String queryId, float[] vector, int k, int ef) {
        IndexEvent e = new IndexEvent();
        e.op = Op.QUERY;
        e.key = key;
        e.queryId = queryId;
        e.vector = vector;
        e.k = k;
        e.ef = ef;
        return e;
    }

    /** A query with the stored vector of {@code id}, which never comes back as a neighbour. */
    public static IndexEvent queryById(String key, String queryId, String id, int k, int ef) {
        IndexEvent e = query(key, queryId, null, k, ef);
        e.id = id;
        return e;
    }

    /** A query with the average vector of examples: 2 avg(like) - avg(unlike), or avg(like); {@code unlike} may be null. */
    public static IndexEvent queryByExamples(String key, String queryId, String[] like, String[] unlike, int k, int ef) {
        IndexEvent e = query(key, queryId, null, k, ef);
        e.like = like;
        e.unlike = unlike;
        return e;
    }

    /** Asks for the stored vector and payload of {@code id}. */
    public static IndexEvent get(String key, String queryId, String id) {
        IndexEvent e = new IndexEvent();
        e.op = Op.GET;
        e.key = key;
        e.queryId = queryId;
        e.id = id;
        return e;
    }

    /** Asks a query for the majority of payload field {@code field} over its neighbours; returns this. */
    public IndexEvent withVote(String field) {
        this.vote = field;
        return this;
    }

    /** Example ids of the query ({@code id} or {@code like} and {@code unlike}), 0 for a vector query. */
    public int exampleCount() {
        return (id != null && op == Op.QUERY ? 1 : 0) + (like == null ? 0 : like.length)
                + (unlike == null ? 0 : unlike.length);
    }

    /** Carries the error answer to a query or get refused before the operator; {@code op} is QUERY or GET. */
    public static IndexEvent refused(Op op, String key, String queryId, String reason) {
        IndexEvent e = new IndexEvent();
        e.op = op;
        e.key = key;
        e.queryId = queryId;
        e.refusal = reason;
        return e;
    }

    /**
     * A standing query ({@code docs/ARCHITECTURE.md}, "Standing queries"): the k nearest to
     * {@code vector}, or to the stored vector of {@code id} when {@code vector} is null, kept current
     * and pushed as updates; set {@link #filter} for a filtered one.
     */
    public static IndexEvent subscribe(String key, String subscriptionId, String id, float[] vector, int k, int ef) {
        IndexEvent e = new IndexEvent();
        e.op = Op.SUBSCRIBE;
        e.key = key;
        e.subscriptionId = subscriptionId;
        e.id = id;
        e.vector = vector;
        e.k = k;
        e.ef = ef;
        return e;
    }

    /** Ends a standing query. */
    public static IndexEvent unsubscribe(String key, String subscriptionId) {
        IndexEvent e = new IndexEvent();
        e.op = Op.UNSUBSCRIBE;
        e.key = key;
        e.subscriptionId = subscriptionId;
        return e;
    }

    /** Removes the key's index, payloads and every state entry it has. */
    public static IndexEvent drop(String key) {
        IndexEvent e = new IndexEvent();
        e.op = Op.DROP;
        e.key = key;
        return e;
    }

    /** Records where this event was read from; returns this. */
    public IndexEvent from(String topic, int partition, long offset) {
        this.sourceTopic = topic;
        this.sourcePartition = partition;
        this.sourceOffset = offset;
        return this;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof IndexEvent)) return false;
        IndexEvent e = (IndexEvent) o;
        return op == e.op && k == e.k && ef == e.ef && sourcePartition == e.sourcePartition
                && sourceOffset == e.sourceOffset && Objects.equals(key, e.key) && Objects.equals(id, e.id)
                && Objects.equals(queryId, e.queryId) && Arrays.equals(vector, e.vector)
                && Objects.equals(payload, e.payload) && Objects.equals(sourceTopic, e.sourceTopic)
                && Objects.equals(filter, e.filter)
                && Arrays.equals(like, e.like) && Arrays.equals(unlike, e.unlike) && Objects.equals(vote, e.vote)
                && Objects.equals(refusal, e.refusal) && Objects.equals(subscriptionId, e.subscriptionId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(op, key, id, queryId, Arrays.hashCode(vector), payload, k, ef, filter);
    }

    @Override
    public String toString() {
        return "IndexEvent{" + op + " key=" + key
                + (id != null ? " id=" + id : "") + (queryId != null ? " queryId=" + queryId : "")
                + (subscriptionId != null ? " subscriptionId=" + subscriptionId : "")
                + (vector != null ? " dim=" + vector.length : "")
                + (op == Op.QUERY || op == Op.SUBSCRIBE ? " k=" + k + " ef=" + ef : "")
                + (filter != null ? " filter=" + filter : "")
                + (like != null ? " like=" + Arrays.toString(like) : "")
                + (unlike != null ? " unlike=" + Arrays.toString(unlike) : "") + (vote != null ? " vote=" + vote : "")
                + (refusal != null ? " refused: " + refusal : "")
                + "}";
    }
}
