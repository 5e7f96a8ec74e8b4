package io.sluice.broker.engine;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Binary min-heap whose elements remember their own slot, so removal of any element is O(log n)
 * (beanstalkd's {@code heap.c} with its {@code setpos} callback).
 *
 * <p>Thread rule: engine thread only.
 */
final class IndexedHeap<T> {

    /** Reads and writes the slot an element keeps for this heap (-1 when absent). */
    interface Slot<T> {
        int get(T e);

        void set(T e, int index);
    }

    private final Comparator<? super T> order;
    private final Slot<T> slot;
    private Object[] items = new Object[16];
    private int size;

    IndexedHeap(Comparator<? super T> order, Slot<T> slot) {
        this.order = order;
        this.slot = slot;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    @SuppressWarnings("unchecked")
    T peek() {
        return size == 0 ? null : (T) items[0];
    }

    /** The element at heap index {@code i} (0 &le; i &lt; size), for scans in no particular order. */
    @SuppressWarnings("unchecked")
    T get(int i) {
        return (T) items[i];
    }

    boolean contains(T e) {
        int i = slot.get(e);
        return i >= 0 && i < size && items[i] == e;
    }

    void add(T e) {
        if (slot.get(e) != -1) {
            throw new IllegalStateException(e + " is in a heap or list already");
        }
        if (size == items.length) {
            items = Arrays.copyOf(items, size * 2);
        }
        items[size] = e;
        slot.set(e, size);
        size++;
        siftUp(size - 1);
    }

    T poll() {
        T top = peek();
        if (top != null) {
            removeAt(0);
        }
        return top;
    }

    /** Removes {@code e} if it is in this heap; returns whether it was. */
    boolean remove(T e) {
        if (!contains(e)) {
            return false;
        }
        removeAt(slot.get(e));
        return true;
    }

    /** Restores order after {@code e}'s key changed in place. */
    void update(T e) {
        int i = slot.get(e);
        siftUp(i);
        siftDown(slot.get(e));
    }

    @SuppressWarnings("unchecked")
    private void removeAt(int i) {
        T gone = (T) items[i];
        size--;
        T moved = (T) items[size];
        items[size] = null;
        if (i != size) {
            if (i > 0 && order.compare(moved, (T) items[(i - 1) >>> 1]) < 0) {
                items[i] = moved;
                siftUp(i);
            } else {
                siftDownFromHole(i, moved);
            }
        }
        slot.set(gone, -1);
        if (items.length > 64 && size < items.length / 4) {
            items = Arrays.copyOf(items, items.length / 2);
        }
    }

    @SuppressWarnings("unchecked")
    private void siftUp(int i) {
        Object x = items[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            Object p = items[parent];
            if (order.compare((T) x, (T) p) >= 0) {
                break;
            }
            items[i] = p;
            slot.set((T) p, i);
            i = parent;
        }
        items[i] = x;
        slot.set((T) x, i);
    }

    /**
     * Fills the hole at {@code i} with {@code x} (which is not less than the hole's parent), bottom-up (Floyd): the
     * hole descends along the smaller children to a leaf, one comparison a level, and {@code x} rises from there.
     * The element that fills a hole is the heap's last, nearly always one of the largest (a FIFO tube's newest
     * job), so it rises little: about half the comparisons of sifting it down from the top, and each comparison
     * reads two jobs from anywhere in the heap.
     */
    @SuppressWarnings("unchecked")
    private void siftDownFromHole(int i, T x) {
        int start = i;
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < size && order.compare((T) items[right], (T) items[child]) < 0) {
                child = right;
            }
            Object c = items[child];
            items[i] = c;
            slot.set((T) c, i);
            i = child;
        }
        while (i > start) {
            int parent = (i - 1) >>> 1;
            Object p = items[parent];
            if (order.compare(x, (T) p) >= 0) {
                break;
            }
            items[i] = p;
            slot.set((T) p, i);
            i = parent;
        }
        items[i] = x;
        slot.set(x, i);
    }

    @SuppressWarnings("unchecked")
    private void siftDown(int i) {
        Object x = items[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            Object c = items[child];
            int right = child + 1;
            if (right < size && order.compare((T) items[right], (T) c) < 0) {
                child = right;
                c = items[child];
            }
            if (order.compare((T) x, (T) c) <= 0) {
                break;
            }
            items[i] = c;
            slot.set((T) c, i);
            i = child;
        }
        items[i] = x;
        slot.set((T) x, i);
    }
}
