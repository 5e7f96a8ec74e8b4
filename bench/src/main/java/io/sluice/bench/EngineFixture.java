package io.sluice.bench;

import io.sluice.broker.engine.Client;
import io.sluice.broker.engine.Clock;
import io.sluice.broker.engine.Engine;
import io.sluice.broker.engine.ServerInfo;
import io.sluice.broker.protocol.Command;
import io.sluice.broker.protocol.ProtocolLimits;

/**
 * An in-memory {@link Engine} on the system clock (as the broker runs it), and helpers to open clients and queue
 * jobs. Jobs queued here share one body array: the engine never copies bodies, so only memory use differs from
 * decoded puts.
 *
 * <p>Thread rule: one thread, the engine's (here JMH's benchmark thread).
 */
final class EngineFixture {
    static final Command.Reserve RESERVE = new Command.Reserve(-1);

    final Engine engine = new Engine(Clock.SYSTEM, ProtocolLimits.DEFAULT_MAX_JOB_SIZE, 10_485_760,
            ServerInfo.fixed());
    final Command.Put put = new Command.Put(Workload.PRI, Workload.DELAY, Workload.TTR, Workload.body());

    /** Opens a connection, as a new client socket does; it uses and watches {@code default}. */
    Client open(LastReplySink sink) {
        Client c = new Client(sink);
        engine.open(c);
        return c;
    }

    /** Runs one command, checking that it got a reply at once (nothing here should wait). */
    void run(Client c, LastReplySink sink, Command cmd) {
        long before = sink.count;
        engine.command(c, cmd);
        if (sink.count == before) {
            throw new IllegalStateException("no reply to " + cmd);
        }
    }

    /**
     * Queues {@code n} ready jobs through {@code c}'s used tube, then collects: the queued jobs move to the old
     * generation, as in a broker that has run a while. Otherwise the first young collections of the measurement
     * copy all of them (about 300 ms each with 1,000,000 jobs), which measures the fill, not the engine.
     */
    void fill(Client c, LastReplySink sink, int n) {
        for (int i = 0; i < n; i++) {
            run(c, sink, put);
        }
        engine.flush();
        System.gc();
    }
}
