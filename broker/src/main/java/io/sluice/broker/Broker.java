package io.sluice.broker;

import io.sluice.broker.config.BrokerConfig;
import io.sluice.broker.engine.Clock;
import io.sluice.broker.engine.Engine;
import io.sluice.broker.engine.EngineRunner;
import io.sluice.broker.server.NettyServer;

import java.net.InetSocketAddress;

/**
 * A running broker: engine thread plus network edge. Start order is engine then network; stop is the reverse.
 *
 * <p>Thread rule: {@link #start} and {@link #close} from one controlling thread; {@link #drain} from any thread.
 */
public final class Broker implements AutoCloseable {
    public static final String VERSION = "0.1.0";

    private final EngineRunner runner;
    private final NettyServer server;
    private final InetSocketAddress address;

    private Broker(EngineRunner runner, NettyServer server, InetSocketAddress address) {
        this.runner = runner;
        this.server = server;
        this.address = address;
    }

    public static Broker start(BrokerConfig config) throws InterruptedException {
        config.validate();
        Engine engine = new Engine(Clock.SYSTEM, config.maxJobSize(), config.segmentSize(),
                new ProcessInfo(VERSION));
        EngineRunner runner = new EngineRunner(engine, Clock.SYSTEM);
        runner.start();
        NettyServer server = new NettyServer(config.ioThreads());
        try {
            InetSocketAddress addr = server.start(config.listen(), config.port(), config.maxJobSize(),
                    config.verbose(), runner);
            return new Broker(runner, server, addr);
        } catch (RuntimeException | InterruptedException e) {
            server.close();
            runner.stop();
            throw e;
        }
    }

    public InetSocketAddress address() {
        return address;
    }

    public int port() {
        return address.getPort();
    }

    /** Drain mode (SIGUSR1): every later put is refused with DRAINING. */
    public void drain() {
        runner.drain();
    }

    @Override
    public void close() throws InterruptedException {
        server.close();
        runner.stop();
    }
}
