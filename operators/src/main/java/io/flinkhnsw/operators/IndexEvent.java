package io.flinkhnsw.operators;

import org.apache.flink.api.common.typeinfo.TypeInfo;

import java.util.Arrays;
import java.util.Objects;

/**
 * One event for a keyed index: an upsert (id, vector, optional JSON payload), a delete (id), a
 * query (queryId, vector, k, optional ef and payload filter) or a drop of the whole key. A single class with an
 * {@link Op} tag rather than a class hierarchy; Flink serialises it with
 * {@link IndexEventSerializer} (see {@link IndexEventTypeInfo}). {@code sourceTopic/Partition/Offset}
 * say where the event came from, for dead letters; they are -1/null for events made in code.
 */
@TypeInfo(IndexEventTypeInfo.Factory.class)
public class IndexEvent {

    /** What an event asks of the index. */
    public enum Op { UPSERT, DELETE, QUERY, DROP }

    public Op op;
    /** The partition key: the index this event belongs to. */
    public String key;
    /** Upsert and delete: the external vector id. */
    public String id;
    /** Query: the id results are reported under. */
    public String queryId;
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
                && Objects.equals(filter, e.filter);
    }

    @Override
    public int hashCode() {
        return Objects.hash(op, key, id, queryId, Arrays.hashCode(vector), payload, k, ef, filter);
    }

    @Override
    public String toString() {
        return "IndexEvent{" + op + " key=" + key
                + (id != null ? " id=" + id : "") + (queryId != null ? " queryId=" + queryId : "")
                + (vector != null ? " dim=" + vector.length : "") + (op == Op.QUERY ? " k=" + k + " ef=" + ef : "")
                + (filter != null ? " filter=" + filter : "")
                + "}";
    }
}
