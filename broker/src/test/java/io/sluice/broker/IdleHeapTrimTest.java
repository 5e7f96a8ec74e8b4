package io.sluice.broker;

import com.sun.management.HotSpotDiagnosticMXBean;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
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
        boolean ratiosLowered;
        int requests;
        int nativeTrims;

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
            ratiosLowered = true;
            requests++;
        }

        @Override
        public void withdrawRequest() {
            requested = false;
        }

        @Override
        public void restoreRatios() {
            ratiosLowered = false;
        }

        @Override
        public boolean trimNative() {
            nativeTrims++;
            return true;
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

    private void answer() {
        heap.collections++; // G1's periodic cycle (its concurrent start)
        heap.cycles++;
    }

    private void requestAfterABurst() {
        heap.committed = 1500 * MB;
        tick();
        tick();
        assertTrue(heap.requested);
        assertTrue(heap.ratiosLowered, "the cycle is asked for with the free-heap ratios lowered");
    }

    @Test
    void theRatiosStayLoweredUntilTheCyclesRemarkShrankTheHeap() {
        requestAfterABurst();
        answer();
        tick();
        assertFalse(heap.requested, "no second cycle");
        assertTrue(heap.ratiosLowered, "the remark, which shrinks the heap, comes after the marking");
        tick();
        assertTrue(heap.ratiosLowered);
        assertEquals(0, heap.nativeTrims);
        heap.committed = 450 * MB; // the remark
        tick();
        assertFalse(heap.ratiosLowered);
        assertEquals(1, heap.nativeTrims, "the C heap is trimmed after the Java heap");
    }

    @Test
    void theRatiosArePutBackWhenTheRemarkFoundNothingToGiveBack() {
        requestAfterABurst();
        answer();
        tick();
        long counted = now;
        while (heap.ratiosLowered) {
            tick();
            assertTrue(now - counted <= IdleHeapTrim.REQUEST_TIMEOUT_MILLIS, "put back within the timeout");
        }
        assertEquals(IdleHeapTrim.REQUEST_TIMEOUT_MILLIS, now - counted);
        assertEquals(1, heap.nativeTrims);
    }

    @Test
    void theRatiosArePutBackAsSoonAsLoadComesBack() {
        requestAfterABurst();
        answer();
        tick();
        assertTrue(heap.ratiosLowered);
        heap.collections++; // a young collection of the returning load
        busyTick();
        assertFalse(heap.ratiosLowered);
        assertEquals(0, heap.nativeTrims, "not while the broker is busy");
    }

    @Test
    void aRequestWithdrawnBeforeAnyCyclePutsTheRatiosBackAtOnce() {
        requestAfterABurst();
        heap.collections++; // load came back first
        busyTick();
        assertFalse(heap.requested);
        assertFalse(heap.ratiosLowered);
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
        String maxFree = vm.getVMOption("MaxHeapFreeRatio").getValue();
        String minFree = vm.getVMOption("MinHeapFreeRatio").getValue();
        try {
            g1.requestCycle();
            assertEquals("1000", vm.getVMOption("G1PeriodicGCInterval").getValue());
            assertEquals("10", vm.getVMOption("MaxHeapFreeRatio").getValue());
            assertEquals("5", vm.getVMOption("MinHeapFreeRatio").getValue());
            while (g1.cycles() == cycles && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        } finally {
            g1.withdrawRequest();
            g1.restoreRatios();
        }
        assertEquals(cycles + 1, g1.cycles(), "one periodic collection answered the request");
        assertEquals(before, vm.getVMOption("G1PeriodicGCInterval").getValue());
        assertEquals(maxFree, vm.getVMOption("MaxHeapFreeRatio").getValue());
        assertEquals(minFree, vm.getVMOption("MinHeapFreeRatio").getValue());
    }

    /** Keeps the test's arrays reachable until it drops them (a local could be collected early by the JIT). */
    private static volatile byte[][] held;

    /**
     * The point of the lowered ratios: after the requested cycle the heap keeps at most about a tenth free (G1's
     * remark resizes it to the ratio then in force). A heap grown by 192 MB of arrays that died (beside 64 MB that
     * stay live) is shrunk to under 1.5x of what it uses (1.11x at the remark; the periodic young collections the
     * request keeps causing may lower the use after it: 1.31x seen once); with the ratio left at 40%
     * (bin/sluiced) or 70% (the JVM's default) it would stay at 1.67x or 3.3x at least (1.92x measured at 40%).
     */
    @Test
    void theRequestedCycleLeavesLittleOfTheHeapFree() throws Exception {
        IdleHeapTrim.Heap g1 = IdleHeapTrim.g1();
        assertNotNull(g1);
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        byte[][] arrays = new byte[32][];
        for (int i = 0; i < arrays.length; i++) {
            arrays[i] = new byte[8 << 20]; // humongous: reclaimed as soon as a collection finds them dead
        }
        held = arrays;
        byte[][] live = java.util.Arrays.copyOf(arrays, 8);
        held = live;
        arrays = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long committed;
        long used;
        try {
            // kept asked for until the heap shrinks: a late notification of another test's cycle must not end it
            g1.requestCycle();
            do { // the remark (which resizes) follows the cycle's marking
                Thread.sleep(50);
                committed = memory.getHeapMemoryUsage().getCommitted();
                used = memory.getHeapMemoryUsage().getUsed();
            } while (committed > 1.5 * used && System.nanoTime() < deadline);
        } finally {
            g1.withdrawRequest();
            g1.restoreRatios();
        }
        assertEquals(8, held.length);
        assertTrue(g1.trimNative(), "this JVM trims its C heap on request (else that part silently does nothing)");
        assertTrue(committed <= 1.5 * used, "committed " + (committed >> 20) + " MB for " + (used >> 20) + " MB used");
    }

    @Test
    void ratiosTheOperatorSetLowerStayLower() {
        HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        String maxFree = vm.getVMOption("MaxHeapFreeRatio").getValue();
        String minFree = vm.getVMOption("MinHeapFreeRatio").getValue();
        try {
            vm.setVMOption("MinHeapFreeRatio", "2");
            vm.setVMOption("MaxHeapFreeRatio", "7");
            FreeRatios ratios = FreeRatios.current();
            ratios.lower(5, 10);
            assertEquals("2", vm.getVMOption("MinHeapFreeRatio").getValue());
            assertEquals("7", vm.getVMOption("MaxHeapFreeRatio").getValue());
            ratios.lower(1, 5);
            assertEquals("1", vm.getVMOption("MinHeapFreeRatio").getValue());
            assertEquals("5", vm.getVMOption("MaxHeapFreeRatio").getValue());
            ratios.restore();
            assertEquals("2", vm.getVMOption("MinHeapFreeRatio").getValue());
            assertEquals("7", vm.getVMOption("MaxHeapFreeRatio").getValue());
        } finally {
            vm.setVMOption("MaxHeapFreeRatio", maxFree);
            vm.setVMOption("MinHeapFreeRatio", minFree);
        }
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
