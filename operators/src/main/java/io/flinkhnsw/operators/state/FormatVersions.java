package io.flinkhnsw.operators.state;

/**
 * The leading byte of every value the operator writes to keyed state, one constant per kind of value.
 * A later release that changes a layout adds a new version and keeps decoding the old ones, so
 * savepoints taken today stay readable; a value with an unknown version fails loudly rather than
 * being misread.
 */
public final class FormatVersions {
    /** v1 carried the consolidation fraction and no deletion sequence; still read. */
    public static final byte HEADER_V1 = 1;
    public static final byte HEADER_V2 = 2;
    public static final byte NODE_V1 = 1;
    public static final byte LINKS_V1 = 1;
    public static final byte PAYLOAD_V1 = 1;
    public static final byte TOMBSTONE_V1 = 1;

    private FormatVersions() {
    }

    static IllegalStateException unsupported(String what, byte version) {
        return new IllegalStateException("unsupported " + what + " format version " + version
                + " (written by a newer release, or corrupt state)");
    }
}
