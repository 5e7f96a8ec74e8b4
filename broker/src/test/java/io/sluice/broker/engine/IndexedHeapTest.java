package io.sluice.broker.engine;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The heap against a sorted set, over random adds, polls, removals from anywhere and key changes. */
class IndexedHeapTest {
    private static final class E {
        long key;
        final long id;
        int slot = -1;

        E(long key, long id) {
            this.key = key;
            this.id = id;
        }
    }

    private static final Comparator<E> ORDER = Comparator.<E>comparingLong(e -> e.key).thenComparingLong(e -> e.id);
    private static final IndexedHeap.Slot<E> SLOT = new IndexedHeap.Slot<>() {
        @Override
        public int get(E e) {
            return e.slot;
        }

        @Override
        public void set(E e, int index) {
            e.slot = index;
        }
    };

    @Test
    void randomOperationsKeepTheOrderOfASortedSet() {
        for (long seed = 1; seed <= 40; seed++) {
            Random rnd = new Random(seed);
            IndexedHeap<E> heap = new IndexedHeap<>(ORDER, SLOT);
            TreeSet<E> model = new TreeSet<>(ORDER);
            List<E> present = new ArrayList<>();
            long nextId = 0;
            // a FIFO stretch (keys rising, as a tube of equal priorities), then mixed keys
            int keyRange = seed % 2 == 0 ? 5 : 1_000_000;
            for (int op = 0; op < 4000; op++) {
                int what = rnd.nextInt(10);
                if (what < 4 || present.isEmpty()) {
                    E e = new E(seed % 3 == 0 ? nextId : rnd.nextInt(keyRange), nextId++);
                    heap.add(e);
                    model.add(e);
                    present.add(e);
                } else if (what < 7) {
                    E top = heap.poll();
                    assertSame(model.pollFirst(), top);
                    assertEquals(-1, top.slot);
                    present.remove(top);
                } else if (what < 9) {
                    E e = present.remove(rnd.nextInt(present.size()));
                    assertTrue(heap.remove(e));
                    assertFalse(heap.remove(e));
                    model.remove(e);
                } else {
                    E e = present.get(rnd.nextInt(present.size()));
                    model.remove(e);
                    e.key = rnd.nextInt(keyRange);
                    heap.update(e);
                    model.add(e);
                }
                assertEquals(model.size(), heap.size());
                assertSame(model.isEmpty() ? null : model.first(), heap.peek());
                for (int i = 0; i < heap.size(); i++) {
                    assertEquals(i, heap.get(i).slot, "slot of the element at " + i);
                    if (i > 0) {
                        assertTrue(ORDER.compare(heap.get((i - 1) / 2), heap.get(i)) < 0, "heap order at " + i);
                    }
                }
            }
            while (!model.isEmpty()) {
                assertSame(model.pollFirst(), heap.poll());
            }
            assertNull(heap.poll());
        }
    }
}
