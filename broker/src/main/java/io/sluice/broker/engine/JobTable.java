package io.sluice.broker.engine;

import org.agrona.collections.Long2ObjectHashMap;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Every live job by id. Ids are handed out in order, so jobs live in chunks of 4,096 consecutive ids: a put writes
 * the next slot of the newest chunk (sequential memory, no hashing, 4 bytes per job) instead of probing a hash
 * table spread over the whole heap (the largest single cost of a put in the engine profile, and 12-37 bytes per
 * job). A chunk that has become sparse (fewer than 1/16 of its slots live; the long-lived leftovers of old ids)
 * moves its jobs to a hash map and is dropped, so memory stays bounded however ids are spread.
 *
 * <p>Invariant: a job is in its chunk if that chunk exists, else in the sparse map.
 *
 * <p>Thread rule: engine thread only.
 */
final class JobTable implements Iterable<Job> {
    private static final int SHIFT = 12;
    private static final int SIZE = 1 << SHIFT;
    private static final int MASK = SIZE - 1;
    private static final int SPARSE = SIZE / 16;

    private static final class Chunk {
        final long index;
        final Job[] slots = new Job[SIZE];
        int live;

        Chunk(long index) {
            this.index = index;
        }
    }

    private final Long2ObjectHashMap<Chunk> chunks = new Long2ObjectHashMap<>();
    private final Long2ObjectHashMap<Job> sparse = new Long2ObjectHashMap<>();
    /** The highest chunk index created so far: new ids land there or above. */
    private long newest = -1;
    /** The chunk used last (nearly always the newest): most operations skip the directory lookup. */
    private Chunk last;
    private int size;

    int size() {
        return size;
    }

    Job get(long id) {
        Chunk c = chunk(id >>> SHIFT);
        if (c != null) {
            Job j = c.slots[(int) (id & MASK)];
            if (j != null) {
                return j;
            }
        }
        return sparse.isEmpty() ? null : sparse.get(id);
    }

    /** Adds a job whose id is not in the table. */
    void put(Job j) {
        long ci = j.id >>> SHIFT;
        Chunk c = chunk(ci);
        if (c == null && ci > newest) {
            Chunk previous = newest < 0 ? null : chunks.get(newest);
            c = new Chunk(ci);
            chunks.put(ci, c);
            newest = ci;
            last = c;
            if (previous != null && previous.live < SPARSE) {
                drop(previous); // ids that jumped ahead (a restore of scattered ids): no mostly empty chunk behind
            }
        }
        if (c == null) {
            sparse.put(j.id, j); // an old id whose chunk was dropped (only a restore brings these)
        } else {
            c.slots[(int) (j.id & MASK)] = j;
            c.live++;
        }
        size++;
    }

    /** Removes and returns the job with this id, or null. */
    Job remove(long id) {
        long ci = id >>> SHIFT;
        Chunk c = chunk(ci);
        if (c != null) {
            int slot = (int) (id & MASK);
            Job j = c.slots[slot];
            if (j != null) {
                c.slots[slot] = null;
                c.live--;
                size--;
                if (c.live < SPARSE && ci != newest) {
                    drop(c);
                }
                return j;
            }
        }
        Job j = sparse.isEmpty() ? null : sparse.remove(id);
        if (j != null) {
            size--;
        }
        return j;
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
        for (Job j : c.slots) {
            if (j != null) {
                sparse.put(j.id, j);
            }
        }
        chunks.remove(c.index);
        if (last == c) {
            last = null;
        }
    }

    /** Every job, in no particular order. Do not change the table while iterating. */
    @Override
    public Iterator<Job> iterator() {
        List<Chunk> all = new ArrayList<>(chunks.values());
        Iterator<Job> rest = sparse.values().iterator();
        return new Iterator<>() {
            int chunk;
            int slot;
            Job next = advance();

            private Job advance() {
                while (chunk < all.size()) {
                    Job[] s = all.get(chunk).slots;
                    while (slot < SIZE) {
                        Job j = s[slot++];
                        if (j != null) {
                            return j;
                        }
                    }
                    chunk++;
                    slot = 0;
                }
                return rest.hasNext() ? rest.next() : null;
            }

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public Job next() {
                if (next == null) {
                    throw new NoSuchElementException();
                }
                Job j = next;
                next = advance();
                return j;
            }
        };
    }
}
