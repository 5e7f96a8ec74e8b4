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
    /**
     * Three small fields in one int: the {@link JobState}'s ordinal (bits 0-3), the state the log last recorded
     * (bits 4-7; a reserved job is recovered in it, its ready time is in {@link Rare}) and the reserve count (bits
     * 8-31; from 2^24 - 1 on, the rest is counted in {@link Rare#reservesOver}). As separate fields they took 6 bytes
     * and put a job at 80 bytes instead of 72.
     */
    private int bits;
    /** When a delayed job becomes ready, or when a reserved job's TTR runs out (ns, engine clock). */
    long deadline;
    Client reserver;

    /** Slot in the tube's ready or delayed heap, or place in a {@link JobList} (buried or reserved). */
    int tubeSlot = -1;
    /** Slot in the engine's deadline heap (delayed and reserved jobs). */
    int timerSlot = -1;

    /** What most jobs never need (see {@link Rare}), or null. */
    private Rare rare;

    /**
     * Fields that stay zero for most jobs (put without a delay, never released, buried, kicked or timed out, a TTR in
     * whole ms below 24 days, no extension), kept apart so that a queued job costs 72 bytes instead of 144 (with no
     * links for the buried and reserved lists, JobList, and no log anchor in memory, DurableJob): at a million
     * queued jobs that is over a fifth of the broker's resident memory. The extension fields are here too: a job
     * with a key or a TTL pays this object's 64 bytes, and every plain job saves the 4 of a second reference.
     */
    private static final class Rare {
        /** Extension fields (key, TTL, reserve limit, cancel mark), or null. */
        JobExt ext;
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
        /** Reserves beyond the 2^24 - 1 that {@link #bits} holds. */
        int reservesOver;
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

    private static final int STATE_MASK = 0xF;
    private static final int LOGGED_SHIFT = 4;
    private static final int LOGGED_MASK = 0xF << LOGGED_SHIFT;
    private static final int RESERVES_SHIFT = 8;
    private static final int RESERVES_MAX = -1 >>> RESERVES_SHIFT;

    JobState state() {
        return STATES[bits & STATE_MASK];
    }

    void state(JobState s) {
        bits = (bits & ~STATE_MASK) | s.ordinal();
    }

    /** The state the log last recorded, a {@code LogFormat} state byte. */
    byte loggedState() {
        return (byte) ((bits & LOGGED_MASK) >>> LOGGED_SHIFT);
    }

    void loggedState(byte s) {
        bits = (bits & ~LOGGED_MASK) | (s << LOGGED_SHIFT); // the log's states are 0 to 2
    }

    /** How often the job was reserved (a u32 held in an int, as the log keeps it). */
    int reserves() {
        int low = bits >>> RESERVES_SHIFT;
        return rare == null ? low : low + rare.reservesOver;
    }

    void countReserve() {
        if ((bits >>> RESERVES_SHIFT) != RESERVES_MAX) {
            bits += 1 << RESERVES_SHIFT;
        } else {
            rare().reservesOver++;
        }
    }

    /** The count from the log (recovery). */
    void restoreReserves(int n) {
        int low = Integer.compareUnsigned(n, RESERVES_MAX) <= 0 ? n : RESERVES_MAX;
        bits = (bits & (STATE_MASK | LOGGED_MASK)) | (low << RESERVES_SHIFT);
        if (low != n) {
            rare().reservesOver = n - low;
        } else if (rare != null) {
            rare.reservesOver = 0;
        }
    }

    /** The extension fields, or null for a plain beanstalkd job. */
    JobExt ext() {
        return rare == null ? null : rare.ext;
    }

    void ext(JobExt x) {
        if (x != null || rare != null) {
            rare().ext = x;
        }
    }

    /** The unique key, or null. */
    String key() {
        JobExt x = ext();
        return x == null ? null : x.key;
    }

    /** A cancel arrived while the job was reserved ({@link JobExt#cancelRequested}). */
    boolean cancelRequested() {
        JobExt x = ext();
        return x != null && x.cancelRequested;
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
