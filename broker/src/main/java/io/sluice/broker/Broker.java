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
 * A running broker. Start: lock the data directory, recover the log, start the log thread, the engine thread, then
 * the network. Stop: the reverse, so every acknowledged change is on disk before the files close.
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
        EngineRunner[] runnerRef = new EngineRunner[1];
        LogWriter writer = null;
        FileLock lock = null;
        List<String> warnings = List.of();
        String summary = null;
        if (config.dataDir() != null) {
            Path dir = Path.of(config.dataDir()).toAbsolutePath();
            lock = SegmentFiles.lock(dir);
            try {
                long t0 = System.nanoTime();
                Recovery.Result r = Recovery.recover(dir, config.recoverTruncate());
                long t1 = System.nanoTime();
                warnings = r.warnings();
                long first = r.segments().isEmpty() ? 1 : r.segments().get(r.segments().size() - 1).sequence() + 1;
                writer = new LogWriter(dir, config.fsyncPolicy(), config.segmentSize(), opener, () -> {
                    EngineRunner rr = runnerRef[0];
                    if (rr != null) {
                        rr.wake();
                    }
                }, onLogFailure);
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
                writer.start(first, engine.nextId());
            } catch (IOException | RuntimeException e) {
                lock.channel().close();
                throw e;
            }
        }
        EngineRunner runner = new EngineRunner(engine, Clock.SYSTEM);
        runnerRef[0] = runner;
        runner.start();
        NettyServer server = new NettyServer(config.ioThreads());
        try {
            InetSocketAddress addr = server.start(config.listen(), config.port(), config.maxJobSize(),
                    config.verbose(), runner);
            Broker b = new Broker(runner, server, writer, lock, addr, warnings);
            b.recoverySummary = summary;
            return b;
        } catch (RuntimeException | InterruptedException e) {
            server.close();
            runner.stop();
            if (writer != null) {
                writer.stop();
                lock.channel().close();
            }
            throw e;
        }
    }

    public InetSocketAddress address() {
        return address;
    }

    public int port() {
        return address.getPort();
    }

    /** What recovery cut off or removed (each is also worth a loud log line). */
    /** What recovery did and how long each part took, or null in memory. */
    public String recoverySummary() {
        return recoverySummary;
    }

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
