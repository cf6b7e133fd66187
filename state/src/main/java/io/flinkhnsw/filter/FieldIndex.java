package io.flinkhnsw.filter;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flinkhnsw.hnsw.NodeIds;
import io.flinkhnsw.hnsw.RamUsage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The in-memory index of one key's declared filterable payload fields ({@link FilterFields}): every
 * id with a payload gets a dense ordinal (freed ordinals are reused), each declared field a
 * {@link FieldColumn} by ordinal. {@link #put} and {@link #remove} cost O(the id's values), never a
 * pass over the key; a query's {@link Filter} is compiled against it into the exact set of matching
 * ordinals ({@link #compile}). Search asks by graph slot, so slots are mapped to ordinals through a
 * cache checked on every use against the slot's id token ({@link NodeIds#idToken}) and the
 * ordinal's last slot (slots and ordinals are both reused), which needs no notice from the graph
 * when it moves an id. Rebuilt from the stored payloads when a key is loaded.
 * Not thread-safe.
 */
public final class FieldIndex {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int NONE = -1;

    private final String[][] paths;
    private final FieldType[] types;
    private final FieldColumn[] columns;
    private final Map<String, Integer> ords = new HashMap<>();
    private String[] ordIds = new String[16];
    private int[] free = new int[16];
    private int freeCount;
    /** Ordinals ever handed out: every live ordinal is below it. */
    private int limit;
    private final BitSet live = new BitSet();
    private long idChars;
    /**
     * Graph slot to the ordinal of its id when last looked up, {@link #NONE} when never, or
     * {@link #missing} of the epoch in which its id had no entry.
     */
    private int[] slotOrds = new int[0];
    /** Graph slot to the id token it held when {@link #slotOrds} was filled. */
    private Object[] slotTokens = new Object[0];
    /** Counts ids given an entry (modulo 2^30): a cached "no entry" holds only within its epoch. */
    private int entryEpoch;
    /** Ordinal to the graph slot it was last found at (-1: none); a hint the graph checks. */
    private int[] ordSlots = new int[16];

    public FieldIndex(FilterFields fields) {
        int n = fields.types().size();
        paths = new String[n][];
        types = new FieldType[n];
        columns = new FieldColumn[n];
        Arrays.fill(ordSlots, NONE);
        int i = 0;
        for (Map.Entry<String, FieldType> e : fields.types().entrySet()) {
            paths[i] = e.getKey().split("\\.");
            types[i] = e.getValue();
            columns[i] = FieldColumn.of(e.getValue());
            columns[i].grow(ordIds.length);
            i++;
        }
    }

    /**
     * Indexes the declared fields of {@code payload} (a JSON object's text; null for none) under
     * {@code id}, replacing what the id had. A payload that is not JSON indexes nothing.
     */
    public void put(String id, String payload) {
        JsonNode root = null;
        if (payload != null) {
            try {
                root = JSON.readTree(payload);
            } catch (JsonProcessingException e) {
                root = null;
            }
        }
        if (root == null || !root.isObject()) {
            remove(id);
            return;
        }
        int ord = ordOf(id);
        if (ord == NONE) {
            ord = newOrd(id);
        }
        List<JsonNode> values = new ArrayList<>();
        for (int f = 0; f < paths.length; f++) {
            values.clear();
            collect(root, paths[f], 0, values);
            columns[f].set(ord, values);
        }
    }

    /** Forgets {@code id}; nothing when it has no entry. */
    public void remove(String id) {
        Integer ord = ords.remove(id);
        if (ord == null) {
            return;
        }
        for (FieldColumn c : columns) {
            c.clear(ord);
        }
        live.clear(ord);
        ordIds[ord] = null;
        ordSlots[ord] = NONE;
        idChars -= id.length();
        if (freeCount == free.length) {
            free = Arrays.copyOf(free, free.length * 2);
        }
        free[freeCount++] = ord;
    }

    /** Ids with an entry (a payload that is a JSON object). */
    public int size() {
        return ords.size();
    }

    /**
     * {@code filter}, which must have been parsed against this index's fields, bound to this index:
     * O(conditions), no pass over the ids. Valid until the index changes.
     */
    public CompiledFilter compile(Filter filter) {
        return new CompiledFilter(this, filter.tests(this), filter.matchesMissing());
    }

    /** Estimated heap bytes: ordinals, ids, columns and the slot cache. O(fields). */
    public long ramBytesUsed() {
        long bytes = RamUsage.object(64) + RamUsage.references(ordIds.length) + RamUsage.ints(free.length)
                + RamUsage.ints(slotOrds.length) + RamUsage.references(slotTokens.length)
                + RamUsage.ints(ordSlots.length) + RamUsage.longs(limit / 64 + 1)
                // HashMap entry, table slot and boxed ordinal per id, and the id string
                + ords.size() * (RamUsage.object(4 + 3 * RamUsage.REFERENCE) + RamUsage.REFERENCE * 2L
                + RamUsage.object(4) + RamUsage.string(0)) + idChars;
        for (FieldColumn c : columns) {
            bytes += c.ramBytesUsed();
        }
        return bytes;
    }

    // ---- for Filter and CompiledFilter ----

    /** Column of the declared field {@code path}, with its type; null when not declared. */
    FieldColumn column(String path) {
        for (int f = 0; f < paths.length; f++) {
            if (String.join(".", paths[f]).equals(path)) {
                return columns[f];
            }
        }
        return null;
    }

    int limit() {
        return limit;
    }

    BitSet live() {
        return live;
    }

    String idOf(int ord) {
        return ordIds[ord];
    }

    /** The ordinal of {@code id}, or -1. */
    int ordOf(String id) {
        Integer ord = ords.get(id);
        return ord == null ? NONE : ord;
    }

    /** The graph slot {@code ord}'s id was last found at, -1 when unknown: a hint, to be checked. */
    int slotHint(int ord) {
        return ordSlots[ord];
    }

    /**
     * The ordinal of the id graph slot {@code slot} holds, through the slot cache; -1 for none. A hit
     * costs two comparisons and builds no string: the slot's id token is the one cached, and the
     * cached ordinal was last found at this slot (a removed entry forgets its slot), or the cached
     * "no entry" is of the current epoch.
     */
    int ordOfSlot(int slot, NodeIds ids) {
        Object token = ids.idToken(slot);
        if (slot < slotOrds.length && slotTokens[slot] == token) {
            int cached = slotOrds[slot];
            if (cached >= 0 ? ordSlots[cached] == slot : cached == missing(entryEpoch)) {
                return cached >= 0 ? cached : NONE;
            }
        }
        if (slot >= slotOrds.length) {
            int old = slotOrds.length;
            int grown = Math.max(slot + 1, old + (old >> 1) + 16);
            slotOrds = Arrays.copyOf(slotOrds, grown);
            slotTokens = Arrays.copyOf(slotTokens, grown);
            Arrays.fill(slotOrds, old, grown, NONE);
        }
        int ord = ordOf(ids.id(slot));
        if (ord != NONE) {
            ordSlots[ord] = slot;
        }
        slotOrds[slot] = ord != NONE ? ord : missing(entryEpoch);
        slotTokens[slot] = token;
        return ord;
    }

    /** The {@link #slotOrds} value for "no entry" in {@code epoch}: below {@link #NONE}. */
    private static int missing(int epoch) {
        return -2 - epoch;
    }

    private int newOrd(String id) {
        int ord;
        if (freeCount > 0) {
            ord = free[--freeCount];
        } else {
            ord = limit++;
            if (ord == ordIds.length) {
                int capacity = ordIds.length + (ordIds.length >> 1);
                ordIds = Arrays.copyOf(ordIds, capacity);
                ordSlots = Arrays.copyOf(ordSlots, capacity);
                Arrays.fill(ordSlots, ord, capacity, NONE);
                for (FieldColumn c : columns) {
                    c.grow(capacity);
                }
            }
        }
        ords.put(id, ord);
        ordIds[ord] = id;
        live.set(ord);
        idChars += id.length();
        entryEpoch = (entryEpoch + 1) & ((1 << 30) - 1);
        if (entryEpoch == 0) {
            Arrays.fill(slotOrds, NONE); // an epoch's number comes round again: forget every "no entry"
        }
        return ord;
    }

    /** The values at {@code path[depth..]} below {@code node}; arrays on the way contribute each element. */
    private static void collect(JsonNode node, String[] path, int depth, List<JsonNode> out) {
        if (node == null || node.isNull()) {
            return;
        }
        if (node.isArray()) {
            for (JsonNode element : node) {
                collect(element, path, depth, out);
            }
        } else if (depth == path.length) {
            out.add(node);
        } else if (node.isObject()) {
            collect(node.get(path[depth]), path, depth + 1, out);
        }
    }
}
