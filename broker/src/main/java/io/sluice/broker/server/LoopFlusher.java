package io.sluice.broker.server;

import io.netty.util.concurrent.EventExecutor;
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
    /** Loop thread only: commands went to the engine since the loop last looked. */
    private boolean awaiting;

    LoopFlusher(EventExecutor loop) {
        this.loop = loop;
    }

    /** On the loop: commands were handed to the engine, replies are expected soon. */
    void awaitReplies() {
        awaiting = true;
    }

    boolean takeAwaiting() {
        boolean a = awaiting;
        awaiting = false;
        return a;
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
