package io.sluice.broker;

/**
 * Hands the garbage of a large recovery back to the operating system before the broker serves: one full collection
 * with G1's free-heap ratios lowered for its duration only ({@link FreeRatios}); {@code bin/sluiced}'s milder 20/40
 * in force otherwise cost nothing measurable.
 *
 * <p>Thread rule: the starting thread, once, before the broker serves.
 */
final class HeapTrim {
    private HeapTrim() {
    }

    static void afterRecovery() {
        FreeRatios ratios;
        try {
            ratios = FreeRatios.current();
            // 5% free at most: the heap grows again as soon as the broker takes work (10/20 left 433 MB resident
            // for 1M jobs, 5 gives 379)
            ratios.lower(1, 5);
        } catch (RuntimeException unsupported) {
            System.gc(); // another JVM or collector: a plain collection still frees the scratch objects
            return;
        }
        try {
            System.gc();
        } finally {
            ratios.restore();
        }
    }
}
