package io.sluice.broker.server;

import io.netty.channel.SelectStrategy;
import io.netty.util.IntSupplier;
import io.sluice.broker.engine.EngineRunner;

/**
 * Before an event loop blocks in epoll right after it handed commands to the engine, it polls briefly for their
 * replies: the engine usually answers within microseconds, and a loop that is not blocked takes the reply task
 * without the engine writing the loop's eventfd and the kernel waking the loop (two syscalls and a context
 * switch on the path of every one-in-flight command). Sockets are still polled meanwhile. An idle loop never spins:
 * only a loop that has just handed over commands does, for at most {@code sluice.loop.spinNanos} (30 µs), and,
 * on a core other threads want, only until the engine has applied them: replies still missing then wait for an
 * fsync or for a job to arrive. A loop whose hand-overs keep getting no immediate reply on a busy machine (fsync
 * {@code always} under load, consumers waiting) stops waiting for a while.
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
        EngineRunner.Batches handedOver = f == null ? null : f.takeAwaiting();
        if (SPIN_NANOS > 0 && handedOver != null && f.worthAwaiting()) {
            long end = System.nanoTime() + SPIN_NANOS;
            boolean contended = false;
            int polls = 0;
            do {
                if (f.pending()) {
                    f.awaited(true);
                    return 0; // the loop runs its tasks now
                }
                if (contended && handedOver.applied()) {
                    // The engine is done with them and published what it could answer at once before marking
                    // them: what is still missing waits for the log's fsync or for a job. Polling on for it
                    // only pays on a core nobody else wants; this one is wanted (the yield was taken).
                    boolean answered = f.pending();
                    f.awaited(answered);
                    return answered ? 0 : SelectStrategy.SELECT;
                }
                contended |= CoreYield.wanted(); // on oversubscribed cores, let the engine or a client run meanwhile
                if ((++polls & 15) == 0) {
                    int n = selectSupplier.get();
                    if (n > 0) {
                        return n;
                    }
                }
            } while (System.nanoTime() < end);
        }
        return SelectStrategy.SELECT;
    }
}
