package io.sluice.broker.config;

import io.sluice.broker.protocol.ProtocolLimits;

/**
 * Every broker setting, with its default. The single source of truth for {@code conf/sluice.json}, the command
 * line and the README's configuration table.
 *
 * <p>Thread rule: immutable; any thread.
 *
 * @param listen      address to bind ({@code -l}); default loopback, as a broker without auth should be
 * @param port        TCP port ({@code -p}); 0 picks a free one
 * @param maxJobSize  largest job body in bytes ({@code -z}); beanstalkd's default and 1 GiB cap
 * @param dataDir     durable log directory ({@code -b}); null = in memory ({@code --in-memory})
 * @param fsyncMs     fsync at most every MS ms ({@code -f}); 0 = before every acknowledgement
 * @param fsyncNever  never fsync ({@code -F})
 * @param segmentSize log segment size in bytes ({@code -s})
 * @param ioThreads   Netty event-loop threads
 * @param verbose     log verbosity ({@code -V}, repeatable)
 * @param recoverTruncate cut a log damaged before its last segment at the damage instead of refusing to start
 * @param retentionMillis how long finished jobs are remembered ({@code --retention}, PROTOCOL.md §7.5)
 * @param retentionMax    at most this many finished jobs are remembered ({@code --retention-max}); 0: none
 * @param engineThread    where the engine runs ({@code --engine-thread}): see {@link EngineThread}
 */
public record BrokerConfig(String listen, int port, long maxJobSize, String dataDir, long fsyncMs,
                           boolean fsyncNever, long segmentSize, int ioThreads, int verbose, boolean recoverTruncate,
                           long retentionMillis, int retentionMax, EngineThread engineThread) {

    /**
     * Which thread runs the engine. {@code SHARED}: the network event loop (its only one, or the first), between
     * its reads and writes, as beanstalkd and Redis do: no hand-off between two threads per command, which on two
     * cores costs more than the second thread gains (bench/RESULTS.md, sixth round). {@code OWN}: a thread of its
     * own, for machines with cores to spare for several network threads. {@code AUTO}: shared with one network
     * thread, own with more.
     */
    public enum EngineThread {
        AUTO, SHARED, OWN;

        /** The setting's name in files and on the command line. */
        public String text() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static EngineThread parse(String text, String what) {
            for (EngineThread t : values()) {
                if (t.text().equals(text)) {
                    return t;
                }
            }
            throw new IllegalArgumentException(what + ": '" + text + "' is not one of auto, shared, own");
        }
    }

    /** Whether the engine runs on the network event loop ({@link EngineThread}). */
    public boolean engineShared() {
        return engineThread == EngineThread.SHARED || (engineThread == EngineThread.AUTO && ioThreads == 1);
    }

    public static final String DEFAULT_LISTEN = "127.0.0.1";
    public static final int DEFAULT_PORT = 11300;
    public static final long DEFAULT_SEGMENT_SIZE = 10_485_760;
    public static final long DEFAULT_FSYNC_MS = 0;
    public static final long DEFAULT_RETENTION_MILLIS = 3_600_000;
    public static final int DEFAULT_RETENTION_MAX = 100_000;

    /**
     * Half the cores, 1 to 4: with more than one the engine gets a core of its own, and on 2 cores a second network
     * thread only competes with the engine and with the clients (bench/RESULTS.md: one thread is 10-40% faster there).
     */
    public static int defaultIoThreads(int cores) {
        return Math.max(1, Math.min(4, cores / 2));
    }

    public static BrokerConfig defaults() {
        return new BrokerConfig(DEFAULT_LISTEN, DEFAULT_PORT, ProtocolLimits.DEFAULT_MAX_JOB_SIZE, null,
                DEFAULT_FSYNC_MS, false, DEFAULT_SEGMENT_SIZE, defaultIoThreads(Runtime.getRuntime().availableProcessors()),
                0, false, DEFAULT_RETENTION_MILLIS, DEFAULT_RETENTION_MAX, EngineThread.AUTO);
    }

    public BrokerConfig withPort(int p) {
        return new BrokerConfig(listen, p, maxJobSize, dataDir, fsyncMs, fsyncNever, segmentSize, ioThreads, verbose,
                recoverTruncate, retentionMillis, retentionMax, engineThread);
    }

    public BrokerConfig withMaxJobSize(long z) {
        return new BrokerConfig(listen, port, z, dataDir, fsyncMs, fsyncNever, segmentSize, ioThreads, verbose,
                recoverTruncate, retentionMillis, retentionMax, engineThread);
    }

    /** Durable in {@code dir} with the given fsync interval (0 = always, -1 = never). */
    public BrokerConfig withDataDir(String dir, long fsync, long segment) {
        return new BrokerConfig(listen, port, maxJobSize, dir, Math.max(fsync, 0), fsync < 0, segment, ioThreads,
                verbose, recoverTruncate, retentionMillis, retentionMax, engineThread);
    }

    /** Finished jobs remembered for {@code millis}, at most {@code max} of them. */
    public BrokerConfig withRetention(long millis, int max) {
        return new BrokerConfig(listen, port, maxJobSize, dataDir, fsyncMs, fsyncNever, segmentSize, ioThreads, verbose,
                recoverTruncate, millis, max, engineThread);
    }

    /** The same, with the engine on the given thread. */
    public BrokerConfig withEngineThread(EngineThread t) {
        return new BrokerConfig(listen, port, maxJobSize, dataDir, fsyncMs, fsyncNever, segmentSize, ioThreads, verbose,
                recoverTruncate, retentionMillis, retentionMax, t);
    }

    public FsyncPolicy fsyncPolicy() {
        return FsyncPolicy.of(fsyncMs, fsyncNever);
    }

    /** Throws {@link IllegalArgumentException} naming the first invalid setting. */
    public BrokerConfig validate() {
        if (listen == null || listen.isBlank()) {
            throw new IllegalArgumentException("listen: an address is required");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " is not in 0..65535");
        }
        if (maxJobSize < 0 || maxJobSize > ProtocolLimits.MAX_MAX_JOB_SIZE) {
            throw new IllegalArgumentException("max-job-size: " + maxJobSize + " is not in 0.."
                    + ProtocolLimits.MAX_MAX_JOB_SIZE);
        }
        if (fsyncMs < 0) {
            throw new IllegalArgumentException("fsync-ms: " + fsyncMs + " is negative");
        }
        if (segmentSize < 4096) {
            throw new IllegalArgumentException("segment-size: " + segmentSize + " is below 4096");
        }
        if (ioThreads < 1 || ioThreads > 256) {
            throw new IllegalArgumentException("io-threads: " + ioThreads + " is not in 1..256");
        }
        if (retentionMillis < 0) {
            throw new IllegalArgumentException("retention: " + retentionMillis + " ms is negative");
        }
        if (retentionMax < 0) {
            throw new IllegalArgumentException("retention-max: " + retentionMax + " is negative");
        }
        if (engineThread == null) {
            throw new IllegalArgumentException("engine-thread: one of auto, shared, own is required");
        }
        if (dataDir != null && dataDir.isBlank()) {
            throw new IllegalArgumentException("data-dir: empty path");
        }
        return this;
    }
}
