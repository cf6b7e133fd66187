package io.flinkhnsw.hnsw;

/**
 * What a {@link KeyIndex} keeps beside its vectors: the parameters the key was created with, its
 * dimension (0 before the first vector), whether it has become a graph, and how many vectors its
 * flat tier (or, for a graph, the backlog) holds. The graph tier has its own {@link GraphHeader}.
 */
public record KeyHeader(HnswConfig config, int dimension, boolean graph, int flatCount) {
}
