package io.sluice.broker;

import io.sluice.broker.config.BrokerConfig;
import io.sluice.broker.engine.Clock;
import io.sluice.broker.engine.Engine;
import io.sluice.broker.engine.EngineRunner;
import io.sluice.broker.log.FileOpener;
import io.sluice.broker.log.LogWriter;
import io.sluice.broker.log.Recovery;
import io.sluice.broker.log.SegmentFiles;
import io.sluice.broker.server.NettyServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * A running broker. Start: lock the data directory, bind the network (in the background) while the log is
 * recovered, then start the log thread and the engine (on its own thread, or on the network's event loop: see
 * {@link BrokerConfig.EngineThread}). Stop: the reverse, so every acknowledged change is on disk before the files
 * close.
 *
 * <p>Thread rule: {@link #start} and {@link #close} from one controlling thread; {@link #drain} from any thread.
 */
public final class Broker implements AutoCloseable {
    public static final String VERSION = "0.1.0";

    private final EngineRunner runner;
    private final NettyServer server;
    private final LogWriter writer;
    private final FileLock lock;
    private final InetSocketAddress address;
    private final List<String> recoveryWarnings;
    private String recoverySummary;

    private Broker(EngineRunner runner, NettyServer server, LogWriter writer, FileLock lock,
                   InetSocketAddress address, List<String> recoveryWarnings) {
        this.runner = runner;
        this.server = server;
        this.writer = writer;
        this.lock = lock;
        this.address = address;
        this.recoveryWarnings = recoveryWarnings;
    }

    public static Broker start(BrokerConfig config) throws InterruptedException, IOException {
        return start(config, t -> {
            System.err.println("sluiced: FATAL: the log failed; stopping so that nothing unacknowledged is "
                    + "acknowledged: " + t);
            t.printStackTrace();
            Runtime.getRuntime().halt(1);
        });
    }

    /** As {@link #start(BrokerConfig)}, with what to do if the log thread fails (tests observe it). */
    public static Broker start(BrokerConfig config, Consumer<Throwable> onLogFailure)
            throws InterruptedException, IOException {
        return start(config, onLogFailure, FileOpener.DEFAULT);
    }

    /** As above, with the seam through which the log opens its files (fault injection in tests). */
    public static Broker start(BrokerConfig config, Consumer<Throwable> onLogFailure, FileOpener opener)
            throws InterruptedException, IOException {
        config.validate();
        Engine engine = new Engine(Clock.SYSTEM, config.maxJobSize(), config.segmentSize(),
                new ProcessInfo(VERSION));
        engine.retention(config.retentionMillis(), config.retentionMax());
        // The runner exists before recovery so that the network can start meanwhile: connections accepted while
        // the log is read post their events to its inbox, applied once the engine starts after recovery.
        EngineRunner runner = new EngineRunner(engine, Clock.SYSTEM);
        LogWriter writer = null;
        FileLock lock = null;
        List<String> warnings = List.of();
        String summary = null;
        Path dir = config.dataDir() == null ? null : Path.of(config.dataDir()).toAbsolutePath();
        if (dir != null) {
            lock = SegmentFiles.lock(dir); // before binding: a second broker on this directory leaves the port alone
        }
        Network network = Network.bindInBackground(config, runner);
        boolean writerStarted = false;
        boolean runnerStarted = false;
        boolean started = false;
        try {
            long first = 0;
            if (dir != null) {
                long t0 = System.nanoTime();
                Recovery.Result<?> r = Recovery.recover(dir, config.recoverTruncate(), network::failFast,
                        engine.replay());
                long t1 = System.nanoTime();
                network.failFast(); // before rebuilding the engine's state from it, too
                warnings = r.warnings();
                first = r.segments().isEmpty() ? 1 : r.segments().get(r.segments().size() - 1).sequence() + 1;
                writer = new LogWriter(dir, config.fsyncPolicy(), config.segmentSize(), opener, runner::wake,
                        onLogFailure);
                engine.restore(r, writer, config.fsyncPolicy(), config.segmentSize(), first);
                int recoveredJobs = r.jobs().size();
                r = null;
                if (recoveredJobs >= 100_000) {
                    // Recovery's scratch objects (decoded records, lists) would otherwise stay resident until the
                    // heap fills; one full collection now hands them back before serving.
                    HeapTrim.afterRecovery();
                }
                long t2 = System.nanoTime();
                summary = String.format("recovered %d jobs in %d ms (reading the log %d ms, rebuilding %d ms)",
                        recoveredJobs, (t2 - t0) / 1_000_000, (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000);
            }
            // Before the log opens its next segment: a broker that cannot listen leaves the directory as it was.
            InetSocketAddress addr = network.bound();
            if (writer != null) {
                writer.start(first, engine.nextId());
                writerStarted = true;
            }
            if (config.engineShared()) {
                runner.startOn(network.server.engineHost());
            } else {
                runner.start();
            }
            runnerStarted = true;
            Broker b = new Broker(runner, network.server, writer, lock, addr, warnings);
            b.recoverySummary = summary;
            started = true;
            return b;
        } finally {
            if (!started) {
                // Whatever failed (an OutOfMemoryError replaying a huge log included): the event loops are not
                // daemon threads, so a half-started broker would otherwise keep the port and the lock.
                network.close();
                if (runnerStarted) {
                    runner.stop();
                }
                if (writerStarted) {
                    writer.stop();
                }
                if (lock != null) {
                    try {
                        lock.channel().close();
                    } catch (IOException ignored) {
                        // the start failed already; closing the lock file cannot lose data
                    }
                }
            }
        }
    }

    /**
     * The network, started on its own thread while the starting thread reads the log (loading Netty and binding
     * take a few hundred milliseconds). As in beanstalkd, which binds before it replays its binlog, a client that
     * connects during recovery is answered once recovery is done.
     */
    private static final class Network {
        private final java.util.concurrent.FutureTask<InetSocketAddress> binding;
        /** Set by the binding thread before it binds; read after {@link #binding} completes. */
        private volatile NettyServer server;

        private Network(BrokerConfig config, EngineRunner runner) {
            binding = new java.util.concurrent.FutureTask<>(() -> {
                NettyServer s = new NettyServer(config.ioThreads(), config.engineShared());
                server = s;
                return s.start(config.listen(), config.port(), config.maxJobSize(), config.verbose(), runner);
            });
        }

        static Network bindInBackground(BrokerConfig config, EngineRunner runner) {
            Network n = new Network(config, runner);
            Thread t = new Thread(n.binding, "sluice-bind");
            t.setDaemon(true);
            t.start();
            return n;
        }

        /** The bound address, once bound; a failure to bind is a {@link ListenException}. */
        InetSocketAddress bound() throws InterruptedException {
            try {
                return binding.get();
            } catch (java.util.concurrent.ExecutionException e) {
                throw new ListenException(message(e.getCause()), e.getCause());
            }
        }

        /**
         * Throws the {@link ListenException} now if binding has already failed (recovery calls this between
         * segments: a broker that cannot listen says so at once, as beanstalkd does, not after reading its log).
         */
        void failFast() {
            if (binding.isDone()) {
                try {
                    bound();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt(); // cannot happen once done; keep the flag anyway
                }
            }
        }

        private static String message(Throwable cause) {
            return cause.getMessage() == null ? cause.toString() : cause.getMessage();
        }

        /** Stops listening (once bound) and closes what was accepted. */
        void close() {
            boolean interrupted = false;
            while (true) {
                try {
                    binding.get(); // a server closed while it binds could still start listening
                    break;
                } catch (java.util.concurrent.ExecutionException notBound) {
                    break; // the server (if it was made) still has event loops to stop
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (server != null) {
                server.close();
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The broker could not listen on its address (beanstalkd exits 111 for this). */
    public static final class ListenException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ListenException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public InetSocketAddress address() {
        return address;
    }

    public int port() {
        return address.getPort();
    }

    /** What recovery did and how long each part took, or null in memory. */
    public String recoverySummary() {
        return recoverySummary;
    }

    /** What recovery cut off or removed (each is also worth a loud log line). */
    public List<String> recoveryWarnings() {
        return recoveryWarnings;
    }

    /** Drain mode (SIGUSR1): every later put is refused with DRAINING. */
    public void drain() {
        runner.drain();
    }

    @Override
    public void close() throws InterruptedException {
        server.close();
        runner.stop();
        if (writer != null) {
            writer.stop();
            try {
                lock.channel().close();
            } catch (IOException ignored) {
                // closing the lock file cannot lose data
            }
        }
    }
}
