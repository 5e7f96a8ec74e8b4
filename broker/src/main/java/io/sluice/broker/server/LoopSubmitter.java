package io.sluice.broker.server;

import io.netty.util.concurrent.EventExecutor;
import io.sluice.broker.engine.Client;
import io.sluice.broker.engine.EngineRunner;
import io.sluice.broker.protocol.Command;

import java.util.ArrayList;
import java.util.List;

/**
 * Gathers the command batches of every connection of one event loop that were read in one pass of the loop and
 * hands them to the engine as one event, so that fifty connections with one command each cost the engine one
 * wake-up instead of fifty. The gathered batches are posted by a task that the loop runs after it has processed
 * all the I/O events of the pass (Netty runs tasks after I/O), and before the loop blocks again.
 *
 * <p>Thread rule: every method on its event loop only.
 */
final class LoopSubmitter implements Runnable {
    private final EventExecutor loop;
    private final EngineRunner engine;
    /** The same loop's flusher: told that replies are now expected (its loop may wait for them). */
    private final LoopFlusher flusher;
    private ArrayList<Client> clients = new ArrayList<>();
    private ArrayList<List<Command>> batches = new ArrayList<>();

    LoopSubmitter(EventExecutor loop, EngineRunner engine, LoopFlusher flusher) {
        this.loop = loop;
        this.engine = engine;
        this.flusher = flusher;
    }

    void add(Client c, List<Command> commands) {
        if (clients.isEmpty()) {
            loop.execute(this); // from inside the loop: queued, no wake-up
        }
        clients.add(c);
        batches.add(commands);
    }

    /** Posts what is gathered now: before a connection's own event, which must follow its commands. */
    void flush() {
        if (!clients.isEmpty()) {
            flusher.awaitReplies(engine.submitAll(clients, batches));
            clients = new ArrayList<>();
            batches = new ArrayList<>();
        }
    }

    @Override
    public void run() {
        flush();
    }
}
