package io.sluice.broker;

import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.management.HotSpotDiagnosticMXBean;

import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hands back the heap a burst grew once the broker goes quiet. G1 sizes the heap for the allocation rate of a burst
 * (a million pipelined puts grow it to 1-2 GB for 250 MB of jobs) and keeps it, touched, until a concurrent cycle
 * lets it shrink. G1's own periodic collection would do that, but on a timer that keeps firing while idle (every
 * 3 s costs 5x the idle CPU at 1M jobs; every 30 s leaves the burst's heap resident for up to a minute). This asks
 * for one concurrent cycle, through G1's periodic-collection flag (manageable at run time), when the heap has grown
 * well past what the last cycle left and no allocation has happened for a second; then puts the flag back. A
 * concurrent cycle pauses for a young collection and a remark (20 ms and 2 ms at 1M jobs); {@code System.gc()}
 * would be a 200 ms full collection. For that one cycle G1's free-heap ratios are lowered ({@link FreeRatios}), so
 * that its remark leaves little free heap committed; they and the flag are put back once it ran, and the C heap is
 * trimmed too.
 *
 * <p>Started by {@link Main} only: it changes a flag of the whole JVM, which a broker embedded in another
 * application must not do. Thread rule: {@link #tick} from the one trimming thread (or a test).
 */
final class IdleHeapTrim {
    static final long TICK_MILLIS = 500;
    /** Ticks without allocation before the broker counts as quiet. */
    static final int QUIET_TICKS = 2;
    /** Growth worth a cycle: this much, and a quarter of what the heap was left at. */
    static final long MIN_GROWTH = 64L << 20;
    /** At most one cycle per this long, whatever the load's rhythm. */
    static final long MIN_INTERVAL_MILLIS = 10_000;
    /** A request no collection answered within this long is withdrawn (G1 busy, or the flag ignored). */
    static final long REQUEST_TIMEOUT_MILLIS = 5_000;

    /** What the trimmer reads and asks of the JVM (a seam for tests). */
    interface Heap {
        long committed();

        /** Changes whenever the application allocates (a region's worth) or a collection runs. */
        long allocationMark();

        /** Collections so far (any kind). */
        long collections();

        /** Cycles run because of {@link #requestCycle} so far (G1's periodic collections). */
        long cycles();

        /** Asks for one concurrent cycle, with the free-heap ratios lowered for it. */
        void requestCycle();

        /** Stops asking (the ratios stay lowered until {@link #restoreRatios}). */
        void withdrawRequest();

        /** Puts back the free-heap ratios {@link #requestCycle} lowered. */
        void restoreRatios();

        /** {@link NativeHeap#trim}: what the JIT's compiler arenas used during warm-up, ~15 MB. */
        boolean trimNative();
    }

    private final Heap heap;
    /** The smallest committed size since the last cycle: growth is measured from it. */
    private long floor;
    private long lastMark;
    private int quietTicks;
    private long requestedAt = -1;
    private long collectionsAtRequest;
    private long cyclesAtRequest;
    private long committedAtRequest;
    private long lastRequestAt;
    private long cycles;
    /**
     * When the answered cycle was counted, while the ratios stay lowered for its remark (which shrinks the heap, and
     * which no notification reports: it comes after the marking, tens to hundreds of ms after the cycle's start);
     * -1 otherwise.
     */
    private long settlingSince = -1;
    private long collectionsAtAnswer;

    IdleHeapTrim(Heap heap, long nowMillis) {
        this.heap = heap;
        this.floor = heap.committed();
        this.lastMark = heap.allocationMark();
        this.lastRequestAt = nowMillis - MIN_INTERVAL_MILLIS;
    }

    /** Requests answered by a cycle so far. */
    long cycles() {
        return cycles;
    }

    void tick(long nowMillis) {
        long committed = heap.committed();
        floor = Math.min(floor, committed);
        if (settlingSince >= 0) {
            // the remark shrank the heap, or load came back (its collections size the heap as usual), or the cycle
            // found nothing to give back
            boolean loaded = heap.collections() != collectionsAtAnswer;
            if (committed < committedAtRequest || loaded || nowMillis - settlingSince >= REQUEST_TIMEOUT_MILLIS) {
                heap.restoreRatios();
                settlingSince = -1;
                if (!loaded) {
                    heap.trimNative(); // still quiet: nothing is allocating there either
                }
            }
        }
        if (requestedAt >= 0) {
            boolean answered = heap.cycles() != cyclesAtRequest;
            // a collection that is not the cycle means load came back: the moment passed, try at the next one
            if (answered || heap.collections() != collectionsAtRequest
                    || nowMillis - requestedAt >= REQUEST_TIMEOUT_MILLIS) {
                heap.withdrawRequest();
                requestedAt = -1;
                quietTicks = 0;
                lastMark = heap.allocationMark();
                if (answered) {
                    settlingSince = nowMillis;
                    collectionsAtAnswer = heap.collections();
                    cycles++;
                    // what the cycle left (lowered further as its shrink shows): a cycle that freed nothing is
                    // not asked for again until the heap grows again
                    floor = committed;
                } else {
                    heap.restoreRatios();
                }
            }
            return;
        }
        long mark = heap.allocationMark();
        quietTicks = mark == lastMark ? quietTicks + 1 : 0;
        lastMark = mark;
        if (quietTicks >= QUIET_TICKS && committed - floor >= Math.max(MIN_GROWTH, floor / 4)
                && nowMillis - lastRequestAt >= MIN_INTERVAL_MILLIS && settlingSince < 0) {
            collectionsAtRequest = heap.collections();
            cyclesAtRequest = heap.cycles();
            committedAtRequest = committed;
            heap.requestCycle();
            requestedAt = nowMillis;
            lastRequestAt = nowMillis;
        }
    }

    /**
     * Starts the trimming thread if this JVM runs G1 with its periodic collection off (the default) and changeable;
     * otherwise does nothing: another collector sizes its heap its own way, and a periodic interval set in
     * {@code JAVA_OPTS} leaves G1's own timer in charge.
     */
    static void startDaemon() {
        Heap heap = g1();
        if (heap == null) {
            return;
        }
        Thread t = new Thread(() -> {
            IdleHeapTrim trim = new IdleHeapTrim(heap, System.currentTimeMillis());
            try {
                while (true) {
                    Thread.sleep(TICK_MILLIS);
                    trim.tick(System.currentTimeMillis());
                }
            } catch (InterruptedException stop) {
                heap.withdrawRequest();
                heap.restoreRatios();
            } catch (RuntimeException e) {
                System.err.println("sluiced: WARNING: idle heap trimming stopped: " + e);
                try {
                    heap.withdrawRequest();
                    heap.restoreRatios();
                } catch (RuntimeException again) {
                    // the flags could not be put back either; a periodic cycle a second costs CPU, not jobs
                }
            }
        }, "sluice-heap-trim");
        t.setDaemon(true);
        t.start();
    }

    /** This JVM's heap if it is G1's with periodic collection off and changeable at run time, else null. */
    static Heap g1() {
        try {
            return G1.find();
        } catch (RuntimeException unsupported) {
            return null;
        }
    }

    /** The running JVM's G1 heap. */
    private static final class G1 implements Heap {
        private static final String FLAG = "G1PeriodicGCInterval";
        /** The periodic task re-reads the flag every second while it is 0 (JDK 17's G1PeriodicGCTask). */
        private static final String REQUEST = "1000";
        private static final String OFF = "0";
        /**
         * Free-heap percentages for the requested cycle: its remark shrinks the heap to at most 10% free (with
         * bin/sluiced's 40, a 1M-job fill kept ~30 MB more resident: 364 vs 335 MB). Put back after the remark, so a
         * returning load grows the heap as before.
         */
        static final int CYCLE_MIN_FREE = 5;
        static final int CYCLE_MAX_FREE = 10;

        private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        private final HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        private final MemoryPoolMXBean eden;
        private final GarbageCollectorMXBean[] collectors;
        /** The ratios in force when the trimmer started: put back after each cycle. */
        private final FreeRatios ratios = FreeRatios.current();
        /** Written by the JMX notification thread. */
        private final AtomicLong periodic = new AtomicLong();

        private G1(MemoryPoolMXBean eden, GarbageCollectorMXBean[] collectors) {
            this.eden = eden;
            this.collectors = collectors;
            NotificationListener count = (n, handback) -> {
                if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())
                        && GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData()).getGcCause()
                        .equals("G1 Periodic Collection")) {
                    periodic.incrementAndGet();
                }
            };
            for (GarbageCollectorMXBean c : collectors) {
                ((NotificationEmitter) c).addNotificationListener(count, null, null);
            }
        }

        static G1 find() {
            HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            if (vm == null || !vm.getVMOption(FLAG).isWriteable() || !OFF.equals(vm.getVMOption(FLAG).getValue())) {
                return null;
            }
            for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
                if (p.getName().equals("G1 Eden Space")) {
                    return new G1(p, ManagementFactory.getGarbageCollectorMXBeans()
                            .toArray(new GarbageCollectorMXBean[0]));
                }
            }
            return null; // another collector
        }

        @Override
        public long committed() {
            return memory.getHeapMemoryUsage().getCommitted();
        }

        @Override
        public long allocationMark() {
            return eden.getUsage().getUsed() + (collections() << 40);
        }

        @Override
        public long collections() {
            long n = 0;
            for (GarbageCollectorMXBean c : collectors) {
                n += Math.max(0, c.getCollectionCount());
            }
            return n;
        }

        @Override
        public long cycles() {
            return periodic.get();
        }

        @Override
        public void requestCycle() {
            ratios.lower(CYCLE_MIN_FREE, CYCLE_MAX_FREE);
            vm.setVMOption(FLAG, REQUEST);
        }

        @Override
        public void withdrawRequest() {
            vm.setVMOption(FLAG, OFF);
        }

        @Override
        public void restoreRatios() {
            ratios.restore();
        }

        @Override
        public boolean trimNative() {
            return NativeHeap.trim();
        }
    }
}
