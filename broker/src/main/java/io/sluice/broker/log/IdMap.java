package io.sluice.broker.log;

import org.agrona.collections.Long2ObjectHashMap;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * A map from job id to a value, for ids that come mostly in ascending order (they are handed out in order): the
 * values of 4,096 consecutive ids share one array, filled sequentially, instead of each put probing a random place
 * of a hash table spread over the heap (that probing was the largest single cost of a put in the engine, 20%, and of
 * reading the log in recovery, 21%). A chunk that has become sparse (under 1/16 present) moves its values to a hash
 * map and is dropped, and so is the newest chunk when ids jump past it nearly empty, so memory stays bounded however
 * the ids are spread. The engine keeps its jobs in one; recovery its index from id to position.
 *
 * <p>Invariant: an id is in its chunk if that chunk exists, else in the sparse map.
 *
 * <p>Thread rule: one thread (the engine's, or the starting thread during recovery).
 */
public final class IdMap<V> implements Iterable<V> {
    private static final int SHIFT = 12;
    private static final int SIZE = 1 << SHIFT;
    private static final int MASK = SIZE - 1;
    private static final int SPARSE = SIZE / 16;

    private static final class Chunk {
        final long index;
        final Object[] slots = new Object[SIZE];
        int present;

        Chunk(long index) {
            this.index = index;
        }
    }

    private final Long2ObjectHashMap<Chunk> chunks = new Long2ObjectHashMap<>();
    private final Long2ObjectHashMap<V> sparse = new Long2ObjectHashMap<>();
    /** The highest chunk index created so far: new ids land there or above. */
    private long newest = -1;
    /** The chunk used last (nearly always the newest): most operations skip the directory lookup. */
    private Chunk last;
    private int size;

    public int size() {
        return size;
    }

    /** Chunks kept as arrays (for tests of the memory bound). */
    int chunkCount() {
        return chunks.size();
    }

    @SuppressWarnings("unchecked")
    public V get(long id) {
        Chunk c = chunk(id >>> SHIFT);
        if (c != null) {
            Object v = c.slots[(int) (id & MASK)];
            if (v != null) {
                return (V) v;
            }
        }
        return sparse.isEmpty() ? null : sparse.get(id);
    }

    /** Adds the value of an id that is not in the map. */
    public void put(long id, V value) {
        long ci = id >>> SHIFT;
        Chunk c = chunk(ci);
        if (c == null && ci > newest) {
            Chunk previous = newest < 0 ? null : chunks.get(newest);
            c = new Chunk(ci);
            chunks.put(ci, c);
            newest = ci;
            last = c;
            if (previous != null && previous.present < SPARSE) {
                drop(previous); // ids that jumped ahead: no mostly empty chunk behind them
            }
        }
        if (c == null) {
            sparse.put(id, value); // an old id whose chunk was dropped (only a restore brings these)
        } else {
            c.slots[(int) (id & MASK)] = value;
            c.present++;
        }
        size++;
    }

    /** Removes an id; returns its value, or null. */
    @SuppressWarnings("unchecked")
    public V remove(long id) {
        long ci = id >>> SHIFT;
        Chunk c = chunk(ci);
        if (c != null) {
            int slot = (int) (id & MASK);
            Object v = c.slots[slot];
            if (v != null) {
                c.slots[slot] = null;
                c.present--;
                size--;
                if (c.present < SPARSE && ci != newest) {
                    drop(c);
                }
                return (V) v;
            }
        }
        V v = sparse.isEmpty() ? null : sparse.remove(id);
        if (v != null) {
            size--;
        }
        return v;
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

    @SuppressWarnings("unchecked")
    private void drop(Chunk c) {
        long base = c.index << SHIFT;
        for (int i = 0; i < SIZE; i++) {
            if (c.slots[i] != null) {
                sparse.put(base | i, (V) c.slots[i]);
            }
        }
        chunks.remove(c.index);
        if (last == c) {
            last = null;
        }
    }

    /** Every value, in no particular order. Do not change the map while iterating. */
    @Override
    public Iterator<V> iterator() {
        List<Chunk> all = new ArrayList<>(chunks.values());
        Iterator<V> rest = sparse.values().iterator();
        return new Iterator<>() {
            int chunk;
            int slot;
            V next = advance();

            @SuppressWarnings("unchecked")
            private V advance() {
                while (chunk < all.size()) {
                    Object[] s = all.get(chunk).slots;
                    while (slot < SIZE) {
                        Object v = s[slot++];
                        if (v != null) {
                            return (V) v;
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
            public V next() {
                if (next == null) {
                    throw new NoSuchElementException();
                }
                V v = next;
                next = advance();
                return v;
            }
        };
    }
}
