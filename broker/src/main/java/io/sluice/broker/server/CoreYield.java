package io.sluice.broker.server;

/**
 * A yield of the core that tells whether another thread wanted it: how the spinning select strategies stop
 * spinning on a core that is needed elsewhere (the engine's thread, the log's, a client's).
 *
 * <p>Thread rule: any thread.
 */
final class CoreYield {
    /** A yield that took longer than this ran another thread (a bare sched_yield is ~1 µs). */
    private static final long CONTENDED_NANOS = 5_000;

    private CoreYield() {
    }

    /** Yields; returns true when that ran another thread, that is when the core is wanted. */
    static boolean wanted() {
        long before = System.nanoTime();
        Thread.yield();
        return System.nanoTime() - before > CONTENDED_NANOS;
    }
}
