package io.flinkhnsw.hnsw;

/**
 * Every input limit of flink-hnsw in one place: the hard caps the index enforces and the defaults
 * of the configurable job limits ({@code --max-ef}, {@code --max-payload-bytes},
 * {@code --max-message-bytes}), which may be lowered but never raised above a hard cap.
 */
public final class Limits {
    /** Components of a vector. */
    public static final int MAX_DIMENSION = 4096;
    /** Neighbours a query may ask for. */
    public static final int MAX_K = 1000;
    /** Neighbours a standing query (subscription) may ask for; it keeps twice as many candidates. */
    public static final int MAX_SUBSCRIPTION_K = 100;
    /** Standing queries (subscriptions) one key may hold. */
    public static final int MAX_SUBSCRIPTIONS_PER_KEY = 100_000;
    /** Beam width: of a query, of the build (efConstruction) and the cap {@code --max-ef} may be set to. */
    public static final int MAX_EF = 100_000;
    /** Default of {@code --max-ef}, the largest ef a query may ask for. */
    public static final int DEFAULT_MAX_EF = 10_000;
    /** Characters of a vector id or a queryId. */
    public static final int MAX_ID_CHARS = 512;
    /** Example ids of one query ({@code like} and {@code unlike} together). */
    public static final int MAX_EXAMPLE_IDS = 64;
    /** Characters of a partition key. */
    public static final int MAX_KEY_CHARS = 256;
    /** Default of {@code --max-payload-bytes}: UTF-8 bytes of the JSON payload stored with a vector. */
    public static final int DEFAULT_MAX_PAYLOAD_BYTES = 16 * 1024;
    /** Default of {@code --max-message-bytes}: bytes of one input record's value. */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 512 * 1024;

    private Limits() {
    }
}
