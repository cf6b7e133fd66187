package io.flinkhnsw.operators.state;

import java.util.Arrays;

/**
 * Reads the v1 link lists of graphs written before node links were kept per node
 * ({@link NodeLinksCodec}): one state entry per node and layer. Layout v1: version, count (varint),
 * the links (varints). Kept so older savepoints stay readable; nothing writes it any more.
 */
public final class LinksCodec {
    private LinksCodec() {
    }

    public static int[] decode(byte[] bytes) {
        if (bytes[0] != FormatVersions.LINKS_V1) {
            throw FormatVersions.unsupported("links", bytes[0]);
        }
        int[] pos = {1};
        int[] links = new int[Varint.get(bytes, pos)];
        for (int i = 0; i < links.length; i++) {
            links[i] = Varint.get(bytes, pos);
        }
        if (pos[0] != bytes.length) {
            throw new IllegalStateException("links value has " + (bytes.length - pos[0]) + " trailing bytes: "
                    + Arrays.toString(bytes));
        }
        return links;
    }
}
