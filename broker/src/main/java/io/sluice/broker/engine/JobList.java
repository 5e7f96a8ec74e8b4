package io.sluice.broker.engine;

import java.util.Arrays;

/**
 * A FIFO of jobs: a tube's buried jobs, or a connection's reserved jobs. An array in order of appending, where a
 * removed job leaves a hole that {@link #first} skips and the next growth squeezes out; each job keeps its index in
 * {@link Job#tubeSlot} (free while it is buried or reserved: it is then in neither of the tube's heaps). O(1)
 * append and removal (amortised), no allocation per job, and no links in every job (8 bytes a job, buried or not).
 *
 * <p>Thread rule: engine thread only.
 */
final class JobList {
    private static final Job[] NONE = new Job[0];

    private Job[] items = NONE;
    /** No job below this index (holes before it are skipped for good). */
    private int head;
    /** One past the last index used. */
    private int end;
    private int size;

    int size() {
        return size;
    }

    /** The oldest job, or null. */
    Job first() {
        while (head < end && items[head] == null) {
            head++;
        }
        return head < end ? items[head] : null;
    }

    /** The job appended after {@code j} (which is in this list) that is still in it, or null. */
    Job after(Job j) {
        for (int i = j.tubeSlot + 1; i < end; i++) {
            if (items[i] != null) {
                return items[i];
            }
        }
        return null;
    }

    void append(Job j) {
        if (j.tubeSlot != -1) {
            throw new IllegalStateException("job " + j.id + " is in a heap or list already");
        }
        if (end == items.length) {
            makeRoom();
        }
        items[end] = j;
        j.tubeSlot = end++;
        size++;
    }

    void remove(Job j) {
        int i = j.tubeSlot;
        if (i < 0 || i >= end || items[i] != j) {
            throw new IllegalStateException("job " + j.id + " is not in this list");
        }
        items[i] = null;
        j.tubeSlot = -1;
        if (--size == 0) {
            head = 0;
            end = 0;
            if (items.length > 64) {
                items = NONE; // a burst of buried jobs kicked: its array goes too
            }
        }
    }

    /** Squeezes out the holes, in place when they are at least half the array, else into one twice as large. */
    private void makeRoom() {
        Job[] to = items.length > 0 && size <= items.length / 2 ? items : new Job[Math.max(4, items.length * 2)];
        int n = 0;
        for (int i = head; i < end; i++) {
            Job j = items[i];
            if (j != null) {
                to[n] = j;
                j.tubeSlot = n++;
            }
        }
        if (to == items) {
            Arrays.fill(items, n, end, null);
        }
        items = to;
        head = 0;
        end = n;
    }
}
