package io.sluice.broker.server;

import io.netty.channel.SelectStrategy;
import io.netty.util.IntSupplier;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.SingleThreadEventExecutor;
import io.netty.util.internal.ThreadExecutorMap;

/**
 * For a loop that hosts the engine: before blocking in epoll, poll the sockets for up to
 * {@code sluice.loop.busyPollNanos} (20 µs) while requests keep coming that soon. A client's next command then finds
 * the loop awake: no wake-up of a sleeping thread (in a VM an interrupt between cores and an exit to the
 * hypervisor, tens of µs), which halves the round trip of a lone connection (bench/RESULTS.md, sixth round). Polls
 * that find nothing are the price: after two in a row the loop blocks at once, and tries polling again on every
 * 16th pass only, so a sparse load does not pay 20 µs per request.
 *
 * <p>Thread rule: called by its event loop only.
 */
final class BusyPollSelectStrategy implements SelectStrategy {
    static final long SPIN_NANOS = Long.getLong("sluice.loop.busyPollNanos", 20_000);

    /** Polls in a row that found nothing (0 to 2). */
    private int misses;
    /** Passes since the last poll while {@link #misses} is 2. */
    private int skipped;
    private SingleThreadEventExecutor loop;

    @Override
    public int calculateStrategy(IntSupplier selectSupplier, boolean hasTasks) throws Exception {
        if (hasTasks) {
            return selectSupplier.get();
        }
        if (SPIN_NANOS <= 0 || (misses >= 2 && ++skipped < 16)) {
            return SelectStrategy.SELECT;
        }
        skipped = 0;
        if (loop == null) {
            EventExecutor e = ThreadExecutorMap.currentExecutor();
            loop = e instanceof SingleThreadEventExecutor s ? s : null;
            if (loop == null) {
                misses = 2; // not on a Netty loop thread (cannot happen): never poll
                return SelectStrategy.SELECT;
            }
        }
        long end = System.nanoTime() + SPIN_NANOS;
        do {
            int n = selectSupplier.get();
            if (n > 0) {
                misses = 0;
                return n;
            }
            // While the loop is awake, another thread's task (the log's wake-up) does not signal the eventfd.
            if (loop.pendingTasks() > 0) {
                misses = 0;
                return 0;
            }
            Thread.onSpinWait();
        } while (System.nanoTime() < end);
        misses = Math.min(misses + 1, 2);
        return SelectStrategy.SELECT;
    }
}
