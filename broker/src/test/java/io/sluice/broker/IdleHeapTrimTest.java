package io.sluice.broker;

import com.sun.management.HotSpotDiagnosticMXBean;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdleHeapTrimTest {
    private static final long MB = 1L << 20;

    /** A heap stepped by hand: the test says how big it is, whether anything allocated and when a collection ran. */
    private static final class FakeHeap implements IdleHeapTrim.Heap {
        long committed = 400 * MB;
        long mark;
        long collections;
        long cycles;
        boolean requested;
        int requests;

        @Override
        public long committed() {
            return committed;
        }

        @Override
        public long allocationMark() {
            return mark;
        }

        @Override
        public long collections() {
            return collections;
        }

        @Override
        public long cycles() {
            return cycles;
        }

        @Override
        public void requestCycle() {
            requested = true;
            requests++;
        }

        @Override
        public void withdrawRequest() {
            requested = false;
        }
    }

    private final FakeHeap heap = new FakeHeap();
    private long now = 1_000_000;
    private final IdleHeapTrim trim = new IdleHeapTrim(heap, now);

    private void tick() {
        now += IdleHeapTrim.TICK_MILLIS;
        trim.tick(now);
    }

    private void busyTick() {
        heap.mark++;
        tick();
    }

    @Test
    void aHeapGrownByABurstIsTrimmedOnceTheBrokerGoesQuiet() {
        heap.committed = 1500 * MB;
        for (int i = 0; i < 10; i++) {
            busyTick();
            assertFalse(heap.requested, "no cycle while the application allocates");
        }
        tick();
        assertFalse(heap.requested, "one quiet tick is not yet quiet");
        tick();
        assertTrue(heap.requested);
        tick();
        assertTrue(heap.requested, "the request stays until a collection answers it");

        heap.collections++; // G1's periodic cycle
        heap.cycles++;
        heap.committed = 450 * MB; // ... which shrank the heap
        tick();
        assertFalse(heap.requested, "the flag is put back once answered");
        assertEquals(1, trim.cycles());
        for (int i = 0; i < 100; i++) {
            tick();
        }
        assertEquals(1, heap.requests, "a quiet broker whose heap did not grow again is left alone");
    }

    @Test
    void aHeapThatDidNotGrowMuchIsLeftAlone() {
        heap.committed = 400 * MB + 63 * MB; // less than 64 MB above where it started
        for (int i = 0; i < 20; i++) {
            tick();
        }
        assertEquals(0, heap.requests);
        heap.committed = 400 * MB + 99 * MB; // 64 MB, but less than a quarter of 400
        for (int i = 0; i < 20; i++) {
            tick();
        }
        assertEquals(0, heap.requests);
        heap.committed = 400 * MB + 100 * MB;
        tick();
        assertEquals(1, heap.requests);
    }

    @Test
    void growthIsMeasuredFromTheSmallestSizeSinceTheLastCycle() {
        heap.committed = 100 * MB; // G1 shrank it on its own
        busyTick();
        heap.committed = 170 * MB;
        busyTick();
        tick();
        tick();
        assertTrue(heap.requested, "70 MB above the low point is growth, though below the starting size");
    }

    @Test
    void loadComingBackWithdrawsTheRequestAndAQuietMomentLaterTriesAgain() {
        heap.committed = 1500 * MB;
        tick();
        tick();
        assertTrue(heap.requested);
        heap.collections++; // a young collection of the returning load, not the cycle
        busyTick();
        assertFalse(heap.requested);
        assertEquals(0, trim.cycles());
        for (int i = 0; i < 30; i++) {
            busyTick(); // loaded for 15 s: the heap stays as large as the load needs
        }
        assertEquals(1, heap.requests);
        tick();
        tick();
        assertTrue(heap.requested, "quiet again, the heap still grown: one more request");
    }

    @Test
    void aRequestNobodyAnswersIsWithdrawnAndCyclesAreSpacedOut() {
        heap.committed = 1500 * MB;
        tick();
        tick();
        assertTrue(heap.requested);
        long asked = now;
        while (now - asked < IdleHeapTrim.REQUEST_TIMEOUT_MILLIS) {
            assertTrue(heap.requested);
            tick();
        }
        assertFalse(heap.requested, "withdrawn after the timeout");
        assertEquals(0, trim.cycles());
        while (!heap.requested) {
            tick();
        }
        assertTrue(now - asked >= IdleHeapTrim.MIN_INTERVAL_MILLIS, "at most one request per interval");
        assertEquals(2, heap.requests);
    }

    /**
     * The real flag: raising G1's periodic-collection interval from 0 makes G1 run a periodic concurrent cycle
     * within about a second, the trimmer counts it, and withdrawing restores the flag. Fails if the JVM stops
     * honouring the flag at run time (the trimmer would then silently do nothing).
     */
    @Test
    void theJvmAnswersARequestWithAPeriodicConcurrentCycle() throws Exception {
        HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        String before = vm.getVMOption("G1PeriodicGCInterval").getValue();
        IdleHeapTrim.Heap g1 = IdleHeapTrim.g1();
        assertNotNull(g1, "the tests run on G1, as the broker does");
        long cycles = g1.cycles();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        try {
            g1.requestCycle();
            assertEquals("1000", vm.getVMOption("G1PeriodicGCInterval").getValue());
            while (g1.cycles() == cycles && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        } finally {
            g1.withdrawRequest();
        }
        assertEquals(cycles + 1, g1.cycles(), "one periodic collection answered the request");
        assertEquals(before, vm.getVMOption("G1PeriodicGCInterval").getValue());
    }

    @Test
    void aPeriodicIntervalSetByTheOperatorLeavesG1sOwnTimerInCharge() {
        HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        assertEquals("0", vm.getVMOption("G1PeriodicGCInterval").getValue(), "the JVM's default");
        assertNotNull(IdleHeapTrim.g1());
        vm.setVMOption("G1PeriodicGCInterval", "30000"); // as -XX:G1PeriodicGCInterval=30000 in JAVA_OPTS would
        try {
            assertNull(IdleHeapTrim.g1(), "no trimmer fighting the operator's setting");
        } finally {
            vm.setVMOption("G1PeriodicGCInterval", "0");
        }
    }
}
