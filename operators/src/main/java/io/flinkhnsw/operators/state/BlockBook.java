package io.flinkhnsw.operators.state;

import io.flinkhnsw.hnsw.RamUsage;

import java.util.BitSet;
import java.util.function.IntConsumer;

/**
 * What one blocked store of a key holds in keyed state: which blocks of {@link #blockSlots()}
 * consecutive slots exist, and which slots have a single entry that overrides their block's copy.
 * Two bit sets, so a key's layout costs about a bit per slot; the store decides when a block is
 * rewritten whole, and this book then names the single entries that rewrite made obsolete.
 */
abstract class BlockBook {
    /** Slots with a single entry in state (null: none yet). */
    private BitSet singles;
    /** Blocks present in state (null: none yet). */
    private BitSet blocks;

    /** Slots per block: fixed once the first single or block is recorded. */
    abstract int blockSlots();

    boolean hasSingle(int slot) {
        return singles != null && singles.get(slot);
    }

    boolean hasBlock(int block) {
        return blocks != null && blocks.get(block);
    }

    /** How many slots of {@code block} have a single entry. */
    int singlesIn(int block) {
        if (singles == null) {
            return 0;
        }
        int first = block * blockSlots();
        int n = 0;
        for (int slot = singles.nextSetBit(first); slot >= 0 && slot < first + blockSlots();
                slot = singles.nextSetBit(slot + 1)) {
            n++;
        }
        return n;
    }

    /** Records that {@code slot} has a single entry in state now. */
    void addSingle(int slot) {
        if (singles == null) {
            singles = new BitSet();
        }
        singles.set(slot);
    }

    /** Records that {@code slot}'s single entry was deleted; false if it had none. */
    boolean removeSingle(int slot) {
        if (!hasSingle(slot)) {
            return false;
        }
        singles.clear(slot);
        return true;
    }

    /** Records that {@code block} exists in state (found when loading). */
    void blockPresent(int block) {
        if (blocks == null) {
            blocks = new BitSet();
        }
        blocks.set(block);
    }

    /**
     * Records that {@code block} was written whole (or, with {@code present} false, deleted), and
     * hands each slot of it that had a single entry to {@code deleteSingle}: the block now holds them.
     */
    void blockWritten(int block, boolean present, IntConsumer deleteSingle) {
        if (present) {
            blockPresent(block);
        } else if (blocks != null) {
            blocks.clear(block);
        }
        if (singles != null) {
            int first = block * blockSlots();
            for (int slot = singles.nextSetBit(first); slot >= 0 && slot < first + blockSlots();
                    slot = singles.nextSetBit(slot + 1)) {
                deleteSingle.accept(slot);
            }
            singles.clear(first, first + blockSlots());
        }
    }

    /** Hands every block from {@code first} on to {@code delete} and forgets them. */
    void dropBlocksFrom(int first, IntConsumer delete) {
        if (blocks == null) {
            return;
        }
        for (int b = blocks.nextSetBit(first); b >= 0; b = blocks.nextSetBit(b + 1)) {
            delete.accept(b);
        }
        blocks.clear(first, Math.max(first, blocks.length()));
    }

    /** Heap bytes of the two bit sets (a subclass accounts its own fields). */
    long booksBytes() {
        return bitsBytes(singles) + bitsBytes(blocks);
    }

    private static long bitsBytes(BitSet bits) {
        return bits == null ? 0 : RamUsage.object(16) + RamUsage.longs(bits.size() / 64);
    }
}
