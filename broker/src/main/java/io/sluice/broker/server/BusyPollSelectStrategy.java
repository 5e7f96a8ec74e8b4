package io.sluice.broker.server;

import io.netty.channel.SelectStrategy;
import io.netty.util.IntSupplier;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.SingleThreadEventExecutor;
import io.netty.util.internal.ThreadExecutorMap;
import io.sluice.broker.engine.EngineRunner;

import java.util.function.BooleanSupplier;

/**
 * For a loop that hosts the engine: before blocking in epoll, poll the sockets for up to
 * {@code sluice.loop.busyPollNanos} (20 µs) while requests keep coming that soon. A client's next command then finds
 * the loop awake: no wake-up of a sleeping thread (in a VM an interrupt between cores and an exit to the
 * hypervisor, tens of µs), which halves the round trip of a lone connection (bench/RESULTS.md, sixth round). Polls
 * that find nothing are the price: after two in a row the loop blocks at once, and tries polling again on every
 * 16th pass only, so a sparse load does not pay 20 µs per request.
 *
 * <p>While replies wait for the log's fsync (policy {@code always}), the loop polls for up to
 * {@code sluice.loop.logWaitNanos} (300 µs) instead, yielding between polls, and stops as soon as a yield shows that
 * another thread wants the core. The fsync's end then finds the loop awake, and the replies go out without the
 * wake-up: durable puts from 1 and 10 connections +13-15%, p99 at 10 about 40% lower, 50 connections unchanged
 * (bench/RESULTS.md, ninth round). Spinning without the yield cost 15% at 50 connections, where the two cores are
 * shared by the loop, the log thread and the clients.
 *
 * <p>Thread rule: called by its event loop only.
 */
final class BusyPollSelectStrategy implements SelectStrategy {
    static final long SPIN_NANOS = Long.getLong("sluice.loop.busyPollNanos", 20_000);
    static final long LOG_WAIT_NANOS = Long.getLong("sluice.loop.logWaitNanos", 300_000);

    /** Polls in a row that found nothing (0 to 2). */
    private int misses;
    /** Passes since the last poll while {@link #misses} is 2. */
    private int skipped;
    private SingleThreadEventExecutor loop;
    /** Whether replies wait for the log; found on the loop's first passes (the engine's host registers itself). */
    private BooleanSupplier awaitingLog;

    BusyPollSelectStrategy() {
    }

    /** For tests: {@code awaitingLog} says whether replies wait for the log. */
    BusyPollSelectStrategy(BooleanSupplier awaitingLog) {
        this.awaitingLog = awaitingLog;
    }

    @Override
    public int calculateStrategy(IntSupplier selectSupplier, boolean hasTasks) throws Exception {
        if (hasTasks) {
            return selectSupplier.get();
        }
        if (LOG_WAIT_NANOS > 0 && awaitingLog() && resolveLoop()) {
            return awaitLog(selectSupplier);
        }
        if (SPIN_NANOS <= 0 || (misses >= 2 && ++skipped < 16)) {
            return SelectStrategy.SELECT;
        }
        skipped = 0;
        if (!resolveLoop()) {
            misses = 2; // not on a Netty loop thread (cannot happen): never poll
            return SelectStrategy.SELECT;
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

    private boolean awaitingLog() {
        if (awaitingLog == null) {
            EngineRunner r = EngineRunner.hostedHere();
            if (r == null) {
                return false; // a loop that does not host the engine, or before the engine's start
            }
            awaitingLog = r::awaitingLog;
        }
        return awaitingLog.getAsBoolean();
    }

    private boolean resolveLoop() {
        if (loop == null) {
            EventExecutor e = ThreadExecutorMap.currentExecutor();
            loop = e instanceof SingleThreadEventExecutor s ? s : null;
        }
        return loop != null;
    }

    /** Polls the sockets until the log's wake-up task comes, the window ends, or another thread wants the core. */
    private int awaitLog(IntSupplier selectSupplier) throws Exception {
        long end = System.nanoTime() + LOG_WAIT_NANOS;
        do {
            int n = selectSupplier.get();
            if (n > 0) {
                return n;
            }
            if (loop.pendingTasks() > 0) {
                return 0;
            }
            if (CoreYield.wanted()) {
                return SelectStrategy.SELECT;
            }
        } while (System.nanoTime() < end);
        return SelectStrategy.SELECT;
    }
}
