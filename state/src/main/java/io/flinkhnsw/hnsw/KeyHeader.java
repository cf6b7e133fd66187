package io.flinkhnsw.hnsw;

/**
 * What a {@link KeyIndex} keeps beside its vectors: the parameters the key was created with, its
 * dimension (0 before the first vector), whether it has a graph, whether its backlog is being
 * drained into the graph, and how many vectors the backlog holds. The graph has its own
 * {@link GraphHeader}.
 */
public record KeyHeader(HnswConfig config, int dimension, boolean graph, boolean draining, int flatCount) {
}
