package io.sluice.broker.engine;

import io.sluice.broker.protocol.JobState;

import java.util.Comparator;

/**
 * One job. Mutable and owned by the engine.
 *
 * <p>Thread rule: engine thread only. The body array is immutable once stored, so replies may share it.
 */
final class Job extends Anchored {
    /** Ready order: priority, then id (beanstalkd {@code job_pri_less}). Priorities are u32 held in a long. */
    static final Comparator<Job> READY_ORDER = (a, b) -> a.pri != b.pri
            ? Long.compare(a.pri, b.pri) : Long.compare(a.id, b.id);
    /** Delayed and reserved order: deadline, then id. */
    static final Comparator<Job> DEADLINE_ORDER = (a, b) -> a.deadline != b.deadline
            ? Long.compare(a.deadline, b.deadline) : Long.compare(a.id, b.id);
    static final IndexedHeap.Slot<Job> TUBE_SLOT = new IndexedHeap.Slot<>() {
        @Override
        public int get(Job e) {
            return e.tubeSlot;
        }

        @Override
        public void set(Job e, int index) {
            e.tubeSlot = index;
        }
    };
    static final IndexedHeap.Slot<Job> TIMER_SLOT = new IndexedHeap.Slot<>() {
        @Override
        public int get(Job e) {
            return e.timerSlot;
        }

        @Override
        public void set(Job e, int index) {
            e.timerSlot = index;
        }
    };

    final long id;
    final Tube tube;
    final byte[] body;
    final long createdAt;
    final long ttr;

    long pri;
    /** Last delay set by put or release, in ns (stats-job shows it after the job became ready). */
    long delay;
    JobState state;
    /** When a delayed job becomes ready, or when a reserved job's TTR runs out (ns, engine clock). */
    long deadline;
    Client reserver;

    int reserves;
    int timeouts;
    int releases;
    int buries;
    int kicks;

    /** Slot in the tube's ready or delayed heap. */
    int tubeSlot = -1;
    /** Slot in the engine's deadline heap (delayed and reserved jobs). */
    int timerSlot = -1;
    /** Links in the tube's buried FIFO or in the reserver's list (a job is never in both). */
    Job prev;
    Job next;

    /** Extension fields (key, TTL, reserve limit, cancel mark), or null for a plain beanstalkd job. */
    JobExt ext;
    /** The state the log last recorded (a reserved job is recovered in it) and its wall-clock ready time. */
    byte loggedState;
    long loggedReadyAt;

    Job(long id, Tube tube, long pri, long delay, long ttr, byte[] body, long createdAt) {
        this.id = id;
        this.tube = tube;
        this.pri = pri;
        this.delay = delay;
        this.ttr = ttr;
        this.body = body;
        this.createdAt = createdAt;
    }
}
