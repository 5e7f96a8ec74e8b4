package io.sluice.broker;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.lang.management.ManagementFactory;

/**
 * G1's free-heap ratios ({@code MinHeapFreeRatio}, {@code MaxHeapFreeRatio}, manageable at run time) lowered for one
 * collection and put back after it. A collection that shrinks the heap (a full one, or a concurrent cycle's remark)
 * then leaves at most that much free; set this low for good, they would also shrink the heap between young
 * collections under load, which costs throughput (about 10% on pipelined puts, bench/RESULTS.md).
 *
 * <p>Thread rule: one thread at a time (the starting thread, or the trimming thread).
 */
final class FreeRatios {
    private static final String MIN = "MinHeapFreeRatio";
    private static final String MAX = "MaxHeapFreeRatio";

    private final HotSpotDiagnosticMXBean vm;
    /** The values in force before (the operator's, or bin/sluiced's): what {@link #restore} puts back. */
    private final int min;
    private final int max;

    private FreeRatios(HotSpotDiagnosticMXBean vm) {
        this.vm = vm;
        this.min = Integer.parseInt(vm.getVMOption(MIN).getValue());
        this.max = Integer.parseInt(vm.getVMOption(MAX).getValue());
    }

    /** This JVM's ratios as they are now; throws if they cannot be read (another JVM). */
    static FreeRatios current() {
        HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        if (vm == null) {
            throw new UnsupportedOperationException("no HotSpot diagnostic bean");
        }
        return new FreeRatios(vm);
    }

    /** Lowers the ratios to these percentages, never raising one set lower already. */
    void lower(int minPercent, int maxPercent) {
        // min first and max last: the JVM refuses min > max at every step
        vm.setVMOption(MIN, Integer.toString(Math.min(min, minPercent)));
        vm.setVMOption(MAX, Integer.toString(Math.min(max, maxPercent)));
    }

    /** Puts back the ratios found by {@link #current}. */
    void restore() {
        // max first, then min, for the same reason
        vm.setVMOption(MAX, Integer.toString(max));
        vm.setVMOption(MIN, Integer.toString(min));
    }
}
