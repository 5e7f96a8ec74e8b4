package io.sluice.broker.engine;

import io.sluice.broker.protocol.JobState;

import java.util.Comparator;

/**
 * One job. Mutable and owned by the engine.
 *
 * <p>Thread rule: engine thread only. The body array is immutable once stored, so replies may share it.
 */
class Job {
    /** Ready order: priority, then id (beanstalkd {@code job_pri_less}). Priorities are u32 held in an int. */
    static final Comparator<Job> READY_ORDER = (a, b) -> a.pri != b.pri
            ? Integer.compareUnsigned(a.pri, b.pri) : Long.compare(a.id, b.id);
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
    /**
     * The TTR in ms, which holds every TTR a client sets in practice (the extensions' ms, beanstalkd's seconds up to
     * 24 days), or -1: then it is in {@link Rare#ttr}. Beside the state kept as a byte, this saves 8 bytes a job.
     */
    private final int ttrMillis;

    /** The u32 priority's bits: see {@link #pri()}. */
    private int pri;
    /** The {@link JobState}'s ordinal. */
    private byte state;
    /** When a delayed job becomes ready, or when a reserved job's TTR runs out (ns, engine clock). */
    long deadline;
    Client reserver;

    int reserves;

    /** Slot in the tube's ready or delayed heap, or place in a {@link JobList} (buried or reserved). */
    int tubeSlot = -1;
    /** Slot in the engine's deadline heap (delayed and reserved jobs). */
    int timerSlot = -1;

    /** Extension fields (key, TTL, reserve limit, cancel mark), or null for a plain beanstalkd job. */
    JobExt ext;
    /** The state the log last recorded (a reserved job is recovered in it); its ready time is in {@link Rare}. */
    byte loggedState;
    /** What most jobs never need (see {@link Rare}), or null. */
    private Rare rare;

    /**
     * Fields that stay zero for most jobs (put without a delay, never released, buried, kicked or timed out, a TTR in
     * whole ms below 24 days), kept apart so that a queued job costs 80 bytes instead of 144 (with no links for the
     * buried and reserved lists, JobList, and no log anchor in memory, DurableJob): at a million queued
     * jobs that is over a tenth of the broker's resident memory.
     */
    private static final class Rare {
        /** The TTR in ns, when {@link #ttrMillis} cannot hold it. */
        long ttr;
        /** Last delay set by put or release, in ns (stats-job shows it after the job became ready). */
        long delay;
        /** The wall-clock ready time the log last recorded (a delayed job), or 0. */
        long loggedReadyAt;
        int timeouts;
        int releases;
        int buries;
        int kicks;
    }

    Job(long id, Tube tube, long pri, long delay, long ttr, byte[] body, long createdAt) {
        this.id = id;
        this.tube = tube;
        pri(pri);
        delay(delay);
        if (ttr >= 0 && ttr % 1_000_000 == 0 && ttr / 1_000_000 <= Integer.MAX_VALUE) {
            this.ttrMillis = (int) (ttr / 1_000_000);
        } else {
            this.ttrMillis = -1;
            rare().ttr = ttr;
        }
        this.body = body;
        this.createdAt = createdAt;
    }

    private Rare rare() {
        if (rare == null) {
            rare = new Rare();
        }
        return rare;
    }

    private static final JobState[] STATES = JobState.values();

    JobState state() {
        return STATES[state];
    }

    void state(JobState s) {
        state = (byte) s.ordinal();
    }

    /** The TTR in ns. */
    long ttr() {
        return ttrMillis >= 0 ? ttrMillis * 1_000_000L : rare.ttr;
    }

    /** The priority, 0 to 2^32 - 1. */
    long pri() {
        return Integer.toUnsignedLong(pri);
    }

    void pri(long p) {
        pri = (int) p; // u32: the parser never lets anything larger through
    }

    long delay() {
        return rare == null ? 0 : rare.delay;
    }

    void delay(long nanos) {
        if (nanos != 0 || rare != null) {
            rare().delay = nanos;
        }
    }

    long loggedReadyAt() {
        return rare == null ? 0 : rare.loggedReadyAt;
    }

    void loggedReadyAt(long wallMillis) {
        if (wallMillis != 0 || rare != null) {
            rare().loggedReadyAt = wallMillis;
        }
    }

    int timeouts() {
        return rare == null ? 0 : rare.timeouts;
    }

    int releases() {
        return rare == null ? 0 : rare.releases;
    }

    int buries() {
        return rare == null ? 0 : rare.buries;
    }

    int kicks() {
        return rare == null ? 0 : rare.kicks;
    }

    void countTimeout() {
        rare().timeouts++;
    }

    void countRelease() {
        rare().releases++;
    }

    void countBury() {
        rare().buries++;
    }

    void countKick() {
        rare().kicks++;
    }

    /** Counters from the log (recovery); zeros leave the job without {@link Rare}. */
    void restoreCounts(int timeouts, int releases, int buries, int kicks) {
        if ((timeouts | releases | buries | kicks) != 0) {
            Rare r = rare();
            r.timeouts = timeouts;
            r.releases = releases;
            r.buries = buries;
            r.kicks = kicks;
        }
    }
}
