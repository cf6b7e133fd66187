package io.flinkhnsw.operators;

import java.util.Arrays;

/**
 * What the merge of a sharded query needs besides the shards' partial results, sent by the router
 * to {@link ShardMergeFunction} under the query's merge key: the asker's queryId and key, how many
 * partials to wait for, the k and vote of the original query and the example ids to leave out (the
 * shards searched with the examples' vector and k plus their count). A get has one partial, from
 * the id's shard.
 */
public class ShardedQuery {
    /** Unique per query: the router's query sequence of the key, then the key; the shards answer under it. */
    public String mergeKey;
    public String queryId;
    public String key;
    public int k;
    /** The payload field to vote on over the merged neighbours; null for none. */
    public String vote;
    /** Ids never to return (a query by id or by examples); empty for a vector query. */
    public String[] examples;
    /** Partials to wait for. */
    public int partials;
    public boolean get;

    public ShardedQuery() {
    }

    ShardedQuery(String mergeKey, String key, IndexEvent query, String[] examples, int partials) {
        this.mergeKey = mergeKey;
        this.queryId = query.queryId;
        this.key = key;
        this.k = query.k;
        this.vote = query.vote;
        this.examples = examples;
        this.partials = partials;
        this.get = query.op == IndexEvent.Op.GET;
    }

    @Override
    public String toString() {
        return "ShardedQuery{" + mergeKey + " " + queryId + " key=" + key + " k=" + k + " partials=" + partials
                + (get ? " get" : "") + (examples.length > 0 ? " examples=" + Arrays.toString(examples) : "") + "}";
    }
}
