package io.flinkhnsw.operators.state;

/**
 * The leading byte of every value the operator writes to keyed state, one constant per kind of value.
 * A release that changes a layout adds a new version and keeps decoding the old ones, so savepoints
 * taken by earlier releases stay readable; a value with an unknown version fails loudly rather than
 * being misread. v1 node records and per-layer link lists ({@link NodeRecordCodec},
 * {@link LinksCodec}) are only read: a key stored that way is rewritten in the current layout at
 * its next write-back.
 */
public final class FormatVersions {
    /** v1 carried the consolidation fraction and no deletion sequence; still read. */
    public static final byte HEADER_V1 = 1;
    /** v2 had no quantization; still read. */
    public static final byte HEADER_V2 = 2;
    public static final byte HEADER_V3 = 3;
    public static final byte NODE_V1 = 1;
    public static final byte LINKS_V1 = 1;
    public static final byte PAYLOAD_V1 = 1;
    /** v1 had no quantization; still read. */
    public static final byte KEY_V1 = 1;
    public static final byte KEY_V2 = 2;
    public static final byte NODE_LINKS_V2 = 2;
    public static final byte LINK_BLOCK_V1 = 1;
    public static final byte VECTOR_V1 = 1;
    public static final byte VECTOR_BLOCK_V1 = 1;
    public static final byte TOMBSTONE_V1 = 1;
    /** v1 held the kept list too, rewritten whenever the list changed; still read. */
    public static final byte SUBSCRIPTION_V1 = 1;
    public static final byte SUBSCRIPTION_V2 = 2;
    public static final byte SUBSCRIPTION_LIST_V1 = 1;
    public static final byte PENDING_WRITE_V1 = 1;

    private FormatVersions() {
    }

    public static IllegalStateException unsupported(String what, byte version) {
        return new IllegalStateException("unsupported " + what + " format version " + version
                + " (written by a newer release, or corrupt state)");
    }
}
