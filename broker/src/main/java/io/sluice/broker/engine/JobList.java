package io.sluice.broker.engine;

/**
 * An intrusive doubly linked FIFO of jobs through {@link Job#prev}/{@link Job#next}: a tube's buried jobs, or a
 * connection's reserved jobs. O(1) append and removal, no allocation.
 *
 * <p>Thread rule: engine thread only.
 */
final class JobList {
    private Job head;
    private Job tail;
    private int size;

    int size() {
        return size;
    }

    Job first() {
        return head;
    }

    void append(Job j) {
        j.prev = tail;
        j.next = null;
        if (tail == null) {
            head = j;
        } else {
            tail.next = j;
        }
        tail = j;
        size++;
    }

    void remove(Job j) {
        if (j.prev == null) {
            head = j.next;
        } else {
            j.prev.next = j.next;
        }
        if (j.next == null) {
            tail = j.prev;
        } else {
            j.next.prev = j.prev;
        }
        j.prev = null;
        j.next = null;
        size--;
    }
}
