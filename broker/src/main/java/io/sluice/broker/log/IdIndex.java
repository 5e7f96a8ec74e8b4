package io.sluice.broker.log;

import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.Long2ObjectHashMap;

import java.util.Arrays;

/**
 * Recovery's index from job id to a position, for ids that come mostly in ascending order (a log is mostly puts):
 * positions of 4,096 consecutive ids share one array, filled sequentially, instead of each put probing a random
 * place of a hash table (the largest cost of reading the log in the profile: 21% of recovery). A chunk that has
 * become sparse (under 1/16 present) moves what it holds to a hash map and is dropped, so memory stays bounded
 * however the ids are spread. The engine's {@code JobTable} is laid out the same way, for jobs.
 *
 * <p>Invariant: an id is in its chunk if that chunk exists, else in the sparse map.
 *
 * <p>Thread rule: one thread (recovery runs on the starting thread).
 */
final class IdIndex {
    private static final int SHIFT = 12;
    private static final int SIZE = 1 << SHIFT;
    private static final int MASK = SIZE - 1;
    private static final int SPARSE = SIZE / 16;
    private static final int ABSENT = -1;

    private static final class Chunk {
        final long index;
        final int[] slots = new int[SIZE];
        int present;

        Chunk(long index) {
            this.index = index;
            Arrays.fill(slots, ABSENT);
        }
    }

    private final Long2ObjectHashMap<Chunk> chunks = new Long2ObjectHashMap<>();
    private final Long2LongHashMap sparse = new Long2LongHashMap(ABSENT);
    private long newest = -1;
    private Chunk last;

    /** Sets the position of an id that is not in the index; {@code position} is not negative. */
    void put(long id, int position) {
        long ci = id >>> SHIFT;
        Chunk c = chunk(ci);
        if (c == null && ci > newest) {
            Chunk previous = newest < 0 ? null : chunks.get(newest);
            c = new Chunk(ci);
            chunks.put(ci, c);
            newest = ci;
            last = c;
            if (previous != null && previous.present < SPARSE) {
                drop(previous); // ids that jumped ahead: do not keep a mostly empty chunk behind them
            }
        }
        if (c == null) {
            sparse.put(id, position);
        } else {
            c.slots[(int) (id & MASK)] = position;
            c.present++;
        }
    }

    /** Removes an id; returns its position, or -1 when it was not there. */
    int remove(long id) {
        long ci = id >>> SHIFT;
        Chunk c = chunk(ci);
        if (c != null) {
            int slot = (int) (id & MASK);
            int p = c.slots[slot];
            if (p != ABSENT) {
                c.slots[slot] = ABSENT;
                c.present--;
                if (c.present < SPARSE && ci != newest) {
                    drop(c);
                }
                return p;
            }
        }
        return sparse.isEmpty() ? ABSENT : (int) sparse.remove(id);
    }

    private Chunk chunk(long ci) {
        Chunk c = last;
        if (c != null && c.index == ci) {
            return c;
        }
        c = chunks.get(ci);
        if (c != null) {
            last = c;
        }
        return c;
    }

    private void drop(Chunk c) {
        long base = c.index << SHIFT;
        for (int i = 0; i < SIZE; i++) {
            if (c.slots[i] != ABSENT) {
                sparse.put(base | i, c.slots[i]);
            }
        }
        chunks.remove(c.index);
        if (last == c) {
            last = null;
        }
    }
}
