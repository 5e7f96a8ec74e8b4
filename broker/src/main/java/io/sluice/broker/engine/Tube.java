package io.sluice.broker.engine;

import java.util.LinkedHashSet;

/**
 * A named queue: ready heap (pri, id), delayed heap (deadline, id), buried FIFO, and the connections waiting on
 * it. Exists while anything refers to it (beanstalkd's refcount): a user, a watcher or a job; "default" always.
 *
 * <p>Thread rule: engine thread only.
 */
final class Tube {
    static final IndexedHeap.Slot<Tube> PAUSE_SLOT = new IndexedHeap.Slot<>() {
        @Override
        public int get(Tube e) {
            return e.pauseSlot;
        }

        @Override
        public void set(Tube e, int index) {
            e.pauseSlot = index;
        }
    };

    final String name;
    final IndexedHeap<Job> ready = new IndexedHeap<>(Job.READY_ORDER, Job.TUBE_SLOT);
    final IndexedHeap<Job> delayed = new IndexedHeap<>(Job.DEADLINE_ORDER, Job.TUBE_SLOT);
    final JobList buried = new JobList();
    /** Waiting connections, oldest first. */
    final LinkedHashSet<Client> waiting = new LinkedHashSet<>();

    int reservedCount;
    int urgentCount;
    int usingCount;
    int watchingCount;

    long totalJobs;
    long cmdDelete;
    long cmdPauseTube;
    /** Duration of the current pause (ns), 0 when not paused. */
    long pauseDuration;
    /** When the pause ends (engine clock); meaningful while {@link #pauseDuration} &gt; 0. */
    long unpauseAt;
    int pauseSlot = -1;
    /** Position in the engine's tube list (list-tubes order). */
    int listSlot = -1;
    /** Reserve limit from the tube's settings (PROTOCOL.md §7.7); 0: none. */
    long maxReserves;

    Tube(String name) {
        this.name = name;
    }

    boolean paused() {
        return pauseDuration > 0;
    }

    int jobCount() {
        return ready.size() + delayed.size() + buried.size() + reservedCount;
    }

    boolean unreferenced() {
        return usingCount == 0 && watchingCount == 0 && jobCount() == 0;
    }
}
