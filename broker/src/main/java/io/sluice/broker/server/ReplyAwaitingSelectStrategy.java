package io.sluice.broker.server;

import io.netty.channel.SelectStrategy;
import io.netty.util.IntSupplier;

/**
 * Before an event loop blocks in epoll right after it handed commands to the engine, it polls briefly for their
 * replies: the engine usually answers within microseconds, and a loop that is not blocked takes the reply task
 * without the engine writing the loop's eventfd and the kernel waking the loop (two syscalls and a context
 * switch on the path of every one-in-flight command). Sockets are still polled meanwhile. An idle loop never spins:
 * only a loop that has just handed over commands does, for at most {@code sluice.loop.spinNanos} (30 µs).
 *
 * <p>Thread rule: called by its event loop only.
 */
final class ReplyAwaitingSelectStrategy implements SelectStrategy {
    static final long SPIN_NANOS = Long.getLong("sluice.loop.spinNanos", 30_000);

    @Override
    public int calculateStrategy(IntSupplier selectSupplier, boolean hasTasks) throws Exception {
        if (hasTasks) {
            return selectSupplier.get();
        }
        LoopFlusher f = LoopFlusher.CURRENT.get();
        if (SPIN_NANOS > 0 && f != null && f.takeAwaiting()) {
            long end = System.nanoTime() + SPIN_NANOS;
            int polls = 0;
            do {
                if (f.pending()) {
                    return 0; // the loop runs its tasks now
                }
                if ((++polls & 15) == 0) {
                    int n = selectSupplier.get();
                    if (n > 0) {
                        return n;
                    }
                }
                Thread.yield(); // on oversubscribed cores, let the engine or a client run meanwhile
            } while (System.nanoTime() < end);
        }
        return SelectStrategy.SELECT;
    }
}
