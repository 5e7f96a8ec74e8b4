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

    LoopFlusher(EventExecutor loop) {
        this.loop = loop;
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
