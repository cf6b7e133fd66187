package io.flinkhnsw.filter;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkhnsw.hnsw.RamUsage;

import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The values of one declared field for every id of a key's {@link FieldIndex}, by the id's ordinal:
 * a column, so setting or clearing one id's values is O(its values) and a condition is one tight
 * scan of the column ({@link #keywords}, {@link #range}, {@link #bools}) giving the exact set of
 * matching ordinals. The first value of an id sits in a primitive array; ids with several values
 * (a JSON array) keep all of them in a side map, scanned after the array. Values of another JSON
 * type than the field's are not indexed (they match nothing).
 */
abstract class FieldColumn {
    /** Ordinals with more than one value. */
    protected final BitSet multi = new BitSet();
    protected long multiBytes;

    static FieldColumn of(FieldType type) {
        return switch (type) {
            case KEYWORD -> new Keywords();
            case NUMBER -> new Numbers();
            case BOOL -> new Bools();
        };
    }

    /** Replaces the values of {@code ord} by the usable ones among {@code values}. */
    abstract void set(int ord, List<JsonNode> values);

    /** Forgets the values of {@code ord}. */
    abstract void clear(int ord);

    /** Makes room for ordinals below {@code capacity}. */
    abstract void grow(int capacity);

    abstract long ramBytesUsed();

    /** Ordinals below {@code limit} with one of {@code wanted} (keyword columns only). */
    BitSet keywords(List<String> wanted, int limit) {
        throw new IllegalStateException("not a keyword column");
    }

    /** Ordinals below {@code limit} with a value in the range (number columns only). */
    BitSet range(double low, boolean lowInclusive, double high, boolean highInclusive, int limit) {
        throw new IllegalStateException("not a number column");
    }

    /** Ordinals with the value {@code wanted} (bool columns only). */
    BitSet bools(boolean wanted) {
        throw new IllegalStateException("not a bool column");
    }

    /** Strings by dictionary code: 4 bytes per ordinal, each distinct string once. */
    private static final class Keywords extends FieldColumn {
        private final Map<String, Integer> codes = new HashMap<>();
        private long dictionaryChars;
        /** code + 1 of the first value, 0 for none. */
        private int[] first = new int[0];
        private final Map<Integer, int[]> all = new HashMap<>();

        @Override
        void grow(int capacity) {
            first = Arrays.copyOf(first, capacity);
        }

        @Override
        void set(int ord, List<JsonNode> values) {
            clear(ord);
            int[] c = values.stream().filter(JsonNode::isTextual).mapToInt(v -> code(v.textValue())).distinct().toArray();
            if (c.length > 0) {
                first[ord] = c[0] + 1;
            }
            if (c.length > 1) {
                multi.set(ord);
                all.put(ord, c);
                multiBytes += RamUsage.ints(c.length) + 48;
            }
        }

        private int code(String value) {
            Integer c = codes.get(value);
            if (c == null) {
                c = codes.size();
                codes.put(value, c);
                dictionaryChars += value.length();
            }
            return c;
        }

        @Override
        void clear(int ord) {
            first[ord] = 0;
            if (multi.get(ord)) {
                multi.clear(ord);
                multiBytes -= RamUsage.ints(all.remove(ord).length) + 48;
            }
        }

        @Override
        BitSet keywords(List<String> wanted, int limit) {
            int[] c = wanted.stream().map(codes::get).filter(x -> x != null).mapToInt(x -> x + 1).distinct().sorted().toArray();
            BitSet out = new BitSet(limit);
            if (c.length == 0) {
                return out;
            }
            int[] f = first;
            if (c.length == 1) {
                int only = c[0];
                for (int ord = 0; ord < limit; ord++) {
                    if (f[ord] == only) {
                        out.set(ord);
                    }
                }
            } else {
                for (int ord = 0; ord < limit; ord++) {
                    if (f[ord] != 0 && Arrays.binarySearch(c, f[ord]) >= 0) {
                        out.set(ord);
                    }
                }
            }
            for (int ord = multi.nextSetBit(0); ord >= 0; ord = multi.nextSetBit(ord + 1)) {
                for (int code : all.get(ord)) {
                    if (Arrays.binarySearch(c, code + 1) >= 0) {
                        out.set(ord);
                        break;
                    }
                }
            }
            return out;
        }

        @Override
        long ramBytesUsed() {
            return RamUsage.ints(first.length) + multiBytes
                    + codes.size() * (RamUsage.string(0) + 48L) + dictionaryChars;
        }
    }

    /** Numbers as doubles: 8 bytes per ordinal, NaN for none. */
    private static final class Numbers extends FieldColumn {
        private double[] first = new double[0];
        private final Map<Integer, double[]> all = new HashMap<>();

        @Override
        void grow(int capacity) {
            int old = first.length;
            first = Arrays.copyOf(first, capacity);
            Arrays.fill(first, old, capacity, Double.NaN);
        }

        @Override
        void set(int ord, List<JsonNode> values) {
            clear(ord);
            double[] v = values.stream().filter(JsonNode::isNumber).mapToDouble(JsonNode::doubleValue).toArray();
            if (v.length > 0) {
                first[ord] = v[0];
            }
            if (v.length > 1) {
                multi.set(ord);
                all.put(ord, v);
                multiBytes += RamUsage.longs(v.length) + 48;
            }
        }

        @Override
        void clear(int ord) {
            first[ord] = Double.NaN;
            if (multi.get(ord)) {
                multi.clear(ord);
                multiBytes -= RamUsage.longs(all.remove(ord).length) + 48;
            }
        }

        @Override
        BitSet range(double low, boolean lowInclusive, double high, boolean highInclusive, int limit) {
            BitSet out = new BitSet(limit);
            double[] f = first;
            for (int ord = 0; ord < limit; ord++) {
                // NaN (no value) fails every comparison
                double x = f[ord];
                if ((lowInclusive ? x >= low : x > low) && (highInclusive ? x <= high : x < high)) {
                    out.set(ord);
                }
            }
            for (int ord = multi.nextSetBit(0); ord >= 0; ord = multi.nextSetBit(ord + 1)) {
                for (double x : all.get(ord)) {
                    if ((lowInclusive ? x >= low : x > low) && (highInclusive ? x <= high : x < high)) {
                        out.set(ord);
                        break;
                    }
                }
            }
            return out;
        }

        @Override
        long ramBytesUsed() {
            return RamUsage.longs(first.length) + multiBytes;
        }
    }

    /** Booleans as two bit sets: an id with [true, false] is in both. */
    private static final class Bools extends FieldColumn {
        private final BitSet trues = new BitSet();
        private final BitSet falses = new BitSet();

        @Override
        void grow(int capacity) {
            // bit sets grow as bits are set
        }

        @Override
        void set(int ord, List<JsonNode> values) {
            clear(ord);
            for (JsonNode v : values) {
                if (v.isBoolean()) {
                    (v.booleanValue() ? trues : falses).set(ord);
                }
            }
        }

        @Override
        void clear(int ord) {
            trues.clear(ord);
            falses.clear(ord);
        }

        @Override
        BitSet bools(boolean wanted) {
            return (BitSet) (wanted ? trues : falses).clone();
        }

        @Override
        long ramBytesUsed() {
            return RamUsage.longs((trues.size() + falses.size()) / 64);
        }
    }
}
