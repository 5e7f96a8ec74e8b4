package io.sluice.broker;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.lang.management.ManagementFactory;

/**
 * Hands the garbage of a large recovery back to the operating system before the broker serves: one full collection
 * with G1's free-heap ratios lowered for its duration only. Lowering them this far for good (JVM flags) would also
 * shrink the heap between young collections under load, which costs throughput (measured: about 10% on pipelined
 * puts); {@code bin/sluiced}'s milder 20/40 costs nothing measurable and lets an idle broker shrink later.
 *
 * <p>Thread rule: the starting thread, once, before the broker serves.
 */
final class HeapTrim {
    private HeapTrim() {
    }

    static void afterRecovery() {
        HotSpotDiagnosticMXBean vm;
        String min;
        String max;
        try {
            vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            min = vm.getVMOption("MinHeapFreeRatio").getValue();
            max = vm.getVMOption("MaxHeapFreeRatio").getValue();
            // lower min first and raise max last: the JVM refuses min > max at every step. 5% free at most: the
            // heap grows again as soon as the broker takes work (10/20 left 433 MB resident for 1M jobs, 5 gives 379)
            vm.setVMOption("MinHeapFreeRatio", "1");
            vm.setVMOption("MaxHeapFreeRatio", "5");
        } catch (RuntimeException unsupported) {
            System.gc(); // another JVM or collector: a plain collection still frees the scratch objects
            return;
        }
        try {
            System.gc();
        } finally {
            vm.setVMOption("MaxHeapFreeRatio", max);
            vm.setVMOption("MinHeapFreeRatio", min);
        }
    }
}
