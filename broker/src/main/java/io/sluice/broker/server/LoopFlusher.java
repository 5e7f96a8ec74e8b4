package io.sluice.broker.server;

import io.netty.util.concurrent.EventExecutor;
import io.sluice.broker.engine.EngineRunner;
import org.agrona.concurrent.ManyToOneConcurrentLinkedQueue;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Batches the engine's "replies are ready" signals per event loop: one task (and at most one wakeup of the loop)
 * per engine cycle writes out every connection of that loop that got replies, instead of one task per connection.
 *
 * <p>Thread rule: {@link #schedule} from the engine thread; the task runs on its event loop.
 */
final class LoopFlusher implements Runnable {
    private final EventExecutor loop;
    private final ManyToOneConcurrentLinkedQueue<ClientConnection> ready = new ManyToOneConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    /** The flusher of the current event loop thread (set on the loop when a connection first uses it). */
    static final io.netty.util.concurrent.FastThreadLocal<LoopFlusher> CURRENT = new io.netty.util.concurrent.FastThreadLocal<>();
    /** Loop thread only: the last commands handed to the engine since the loop last looked, or null. */
    private EngineRunner.Batches awaiting;

    LoopFlusher(EventExecutor loop) {
        this.loop = loop;
    }

    /** On the loop: commands were handed to the engine, replies are expected soon. */
    void awaitReplies(EngineRunner.Batches handedOver) {
        awaiting = handedOver;
    }

    /**
     * On the loop: the commands handed over since the last call (the engine applies batches in order, so the
     * last one stands for all), or null.
     */
    EngineRunner.Batches takeAwaiting() {
        EngineRunner.Batches a = awaiting;
        awaiting = null;
        return a;
    }

    /**
     * Loop thread only: waits in a row that ended with the engine done and nothing answered, on a core that other
     * threads wanted.
     */
    private int silent;
    /** Loop thread only: hand-overs not waited for since the last probe. */
    private int skipped;

    /**
     * On the loop: whether to wait for the replies of this hand-over. Not after two silent waits in a row (every
     * reply waits for an fsync, or consumers wait for jobs), except every 16th, to notice that replies come at once
     * again.
     */
    boolean worthAwaiting() {
        if (silent < 2 || ++skipped >= 16) {
            skipped = 0;
            return true;
        }
        return false;
    }

    /** On the loop: how a wait ended: replies came, or it was silent (see {@link #silent}). */
    void awaited(boolean answered) {
        silent = answered ? 0 : Math.min(silent + 1, 2);
    }

    /** Whether replies are waiting to be written (any thread). */
    boolean pending() {
        return scheduled.get();
    }

    void schedule(ClientConnection c) {
        ready.offer(c);
        if (scheduled.compareAndSet(false, true)) {
            try {
                loop.execute(this);
            } catch (RejectedExecutionException shuttingDown) {
                // the event loops stopped first (broker shutdown): the connections are closed anyway
            }
        }
    }

    @Override
    public void run() {
        scheduled.set(false);
        ClientConnection c;
        while ((c = ready.poll()) != null) {
            c.drainFromFlusher();
        }
    }
}
