package io.flinkhnsw.filter;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkhnsw.hnsw.RamUsage;

import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * The values of one declared field for every id of a key's {@link FieldIndex}, by the id's ordinal.
 * Setting or clearing one id's values is O(its values). A condition on the column ({@link #keywords},
 * {@link #range}, {@link #bools}) is a {@link Test}: a per-ordinal check over the column's arrays
 * as they are (no pass over the key per query), an estimate of how many ordinals pass, and, where
 * the column keeps postings, the ordinals that may pass. The first value of an id sits in a
 * primitive array; ids with several values (a JSON array) keep all of them in a side map. Values of
 * another JSON type than the field's are not indexed (they match nothing).
 */
abstract class FieldColumn {
    /** Ordinals sampled to estimate how many pass a range. */
    private static final int SAMPLE = 512;

    /** A condition on one column: valid until the column changes, so for one query. */
    interface Test {
        boolean test(int ord);

        /** Estimated ordinals that pass, of the {@code live} ones. */
        int estimate(int live);

        /** Whether {@link #candidates} can list the ordinals that may pass. */
        boolean listable();

        /** Hands every ordinal that may pass to {@code action} (once each) and returns true; false when it cannot list them. */
        boolean candidates(IntConsumer action);
    }

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

    /** Has one of {@code wanted} (keyword columns only). */
    Test keywords(List<String> wanted) {
        throw new IllegalStateException("not a keyword column");
    }

    /** Has a value in the range (number columns only); ordinals below {@code limit}, live ones in {@code live}. */
    Test range(double low, boolean lowInclusive, double high, boolean highInclusive, BitSet live, int limit) {
        throw new IllegalStateException("not a number column");
    }

    /** Has the value {@code wanted} (bool columns only). */
    Test bools(boolean wanted) {
        throw new IllegalStateException("not a bool column");
    }

    /**
     * Strings by dictionary code: the first value's code per ordinal, a posting list per code of the
     * ordinals whose first value it is (swap-removal through each ordinal's position), and per code
     * the number of ordinals that have it at all.
     */
    private static final class Keywords extends FieldColumn {
        private final Map<String, Integer> codes = new HashMap<>();
        private long dictionaryChars;
        /** code + 1 of the first value, 0 for none. */
        private int[] first = new int[0];
        /** Position of each ordinal in the posting list of its first value's code. */
        private int[] position = new int[0];
        private int[][] postings = new int[0][];
        private int[] postingSizes = new int[0];
        /** Ordinals that have each code, first value or not. */
        private int[] counts = new int[0];
        private final Map<Integer, int[]> all = new HashMap<>();
        private long postingInts;

        @Override
        void grow(int capacity) {
            first = Arrays.copyOf(first, capacity);
            position = Arrays.copyOf(position, capacity);
        }

        @Override
        void set(int ord, List<JsonNode> values) {
            clear(ord);
            int[] c = values.stream().filter(JsonNode::isTextual).mapToInt(v -> code(v.textValue())).distinct().toArray();
            if (c.length == 0) {
                return;
            }
            first[ord] = c[0] + 1;
            addPosting(c[0], ord);
            for (int code : c) {
                counts[code]++;
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
                if (c == postings.length) {
                    int n = Math.max(4, c * 2);
                    postings = Arrays.copyOf(postings, n);
                    postingSizes = Arrays.copyOf(postingSizes, n);
                    counts = Arrays.copyOf(counts, n);
                }
                postings[c] = new int[4];
                postingInts += 4;
            }
            return c;
        }

        private void addPosting(int code, int ord) {
            int size = postingSizes[code];
            if (size == postings[code].length) {
                postingInts += size;
                postings[code] = Arrays.copyOf(postings[code], size * 2);
            }
            postings[code][size] = ord;
            position[ord] = size;
            postingSizes[code] = size + 1;
        }

        @Override
        void clear(int ord) {
            int f = first[ord];
            if (f == 0) {
                return;
            }
            int code = f - 1;
            int last = --postingSizes[code];
            int moved = postings[code][last];
            postings[code][position[ord]] = moved;
            position[moved] = position[ord];
            first[ord] = 0;
            if (multi.get(ord)) {
                multi.clear(ord);
                int[] c = all.remove(ord);
                for (int x : c) {
                    counts[x]--;
                }
                multiBytes -= RamUsage.ints(c.length) + 48;
            } else {
                counts[code]--;
            }
        }

        @Override
        Test keywords(List<String> wanted) {
            // code + 1, as first[] holds them
            int[] c = wanted.stream().map(codes::get).filter(x -> x != null).mapToInt(x -> x + 1).distinct().sorted().toArray();
            int[] f = first;
            int[][] lists = postings;
            int[] sizes = postingSizes;
            BitSet several = multi;
            Map<Integer, int[]> values = all;
            int total = Arrays.stream(c).map(x -> counts[x - 1]).sum();
            return new Test() {
                @Override
                public boolean test(int ord) {
                    int code = f[ord];
                    if (code == 0) {
                        return false;
                    }
                    if (c.length == 1 ? code == c[0] : Arrays.binarySearch(c, code) >= 0) {
                        return true;
                    }
                    if (several.get(ord)) {
                        for (int other : values.get(ord)) {
                            if (Arrays.binarySearch(c, other + 1) >= 0) {
                                return true;
                            }
                        }
                    }
                    return false;
                }

                @Override
                public int estimate(int live) {
                    return Math.min(total, live);
                }

                @Override
                public boolean listable() {
                    return true;
                }

                @Override
                public boolean candidates(IntConsumer action) {
                    for (int code : c) {
                        int[] list = lists[code - 1];
                        for (int i = 0, n = sizes[code - 1]; i < n; i++) {
                            action.accept(list[i]);
                        }
                    }
                    // ordinals whose first value is not wanted but another may be
                    for (int ord = several.nextSetBit(0); ord >= 0; ord = several.nextSetBit(ord + 1)) {
                        if (Arrays.binarySearch(c, f[ord]) < 0) {
                            action.accept(ord);
                        }
                    }
                    return true;
                }
            };
        }

        @Override
        long ramBytesUsed() {
            return RamUsage.ints(first.length) + RamUsage.ints(position.length) + multiBytes
                    + RamUsage.references(postings.length) + 2 * RamUsage.ints(counts.length)
                    + codes.size() * (RamUsage.ARRAY_HEADER + RamUsage.string(0) + 48L) + 4 * postingInts
                    + dictionaryChars;
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
        Test range(double low, boolean lowInclusive, double high, boolean highInclusive, BitSet live, int limit) {
            double[] f = first;
            BitSet several = multi;
            Map<Integer, double[]> values = all;
            return new Test() {
                private boolean in(double x) {
                    // NaN (no value) fails every comparison
                    return (lowInclusive ? x >= low : x > low) && (highInclusive ? x <= high : x < high);
                }

                @Override
                public boolean test(int ord) {
                    if (in(f[ord])) {
                        return true;
                    }
                    if (several.get(ord)) {
                        for (double x : values.get(ord)) {
                            if (in(x)) {
                                return true;
                            }
                        }
                    }
                    return false;
                }

                /** From an evenly strided sample of the ordinals: a range keeps no counts. */
                @Override
                public int estimate(int liveCount) {
                    int step = Math.max(1, limit / SAMPLE);
                    int sampled = 0;
                    int passed = 0;
                    for (int ord = 0; ord < limit; ord += step) {
                        if (live.get(ord)) {
                            sampled++;
                            passed += test(ord) ? 1 : 0;
                        }
                    }
                    return sampled == 0 ? 0 : (int) Math.ceil((double) passed / sampled * liveCount);
                }

                @Override
                public boolean listable() {
                    return false;
                }

                @Override
                public boolean candidates(IntConsumer action) {
                    return false;
                }
            };
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
        Test bools(boolean wanted) {
            BitSet bits = wanted ? trues : falses;
            return new Test() {
                @Override
                public boolean test(int ord) {
                    return bits.get(ord);
                }

                @Override
                public int estimate(int live) {
                    return bits.cardinality();
                }

                @Override
                public boolean listable() {
                    return true;
                }

                @Override
                public boolean candidates(IntConsumer action) {
                    for (int ord = bits.nextSetBit(0); ord >= 0; ord = bits.nextSetBit(ord + 1)) {
                        action.accept(ord);
                    }
                    return true;
                }
            };
        }

        @Override
        long ramBytesUsed() {
            return RamUsage.longs((trues.size() + falses.size()) / 64);
        }
    }
}
