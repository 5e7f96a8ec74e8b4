package io.sluice.broker.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.File;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Builds a {@link BrokerConfig}: defaults, then the JSON config file ({@code -c}), then command-line flags, then
 * validation. Flags mirror beanstalkd's where they overlap, so operators' habits carry over. Picocli parses them
 * (clustered short options such as {@code -VV} and attached values such as {@code -f0} work as in beanstalkd).
 *
 * <p>Thread rule: used once, by the main thread.
 */
public final class ConfigLoader {

    /** Thrown for {@code -h} and {@code -v}: the text to print, and a successful exit. */
    public static final class ExitRequest extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public ExitRequest(String text) {
            super(text, null, false, false);
        }
    }

    private static final Set<String> FILE_KEYS = Set.of("listen", "port", "max-job-size", "data-dir", "fsync-ms",
            "fsync-never", "segment-size", "io-threads", "engine-thread", "verbose", "in-memory", "retention", "retention-max");

    @Command(name = "sluiced", sortOptions = false, usageHelpAutoWidth = true,
            description = "Sluice: a durable job-queue broker speaking the beanstalkd protocol.")
    static final class Flags {
        @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "JSON config file (see conf/)")
        File config;
        @Option(names = {"-l", "--listen"}, paramLabel = "ADDR", description = "listen on address (default 127.0.0.1)")
        String listen;
        @Option(names = {"-p", "--port"}, paramLabel = "PORT", description = "listen on port (default 11300)")
        Integer port;
        @Option(names = {"-z", "--max-job-size"}, paramLabel = "BYTES", description = "maximum job size in bytes "
                + "(default 65535)")
        Long maxJobSize;
        @Option(names = {"-b", "--data-dir"}, paramLabel = "DIR", description = "durable log directory")
        String dataDir;
        @Option(names = "--in-memory", description = "keep jobs in memory only (beanstalkd without -b)")
        boolean inMemory;
        @Option(names = "--recover-truncate", description = "if the log is damaged before its last segment, cut it "
                + "there instead of refusing to start (jobs after the damage are lost)")
        boolean recoverTruncate;
        @Option(names = {"-f", "--fsync-ms"}, paramLabel = "MS", description = "fsync at most every MS ms "
                + "(0: before every acknowledgement)")
        Long fsyncMs;
        @Option(names = {"-F", "--fsync-never"}, description = "never fsync")
        boolean fsyncNever;
        @Option(names = {"-s", "--segment-size"}, paramLabel = "BYTES", description = "log segment size "
                + "(default 10485760)")
        Long segmentSize;
        @Option(names = "--io-threads", paramLabel = "N", description = "network threads (default: half the cores, 1 to 4)")
        Integer ioThreads;
        @Option(names = "--engine-thread", paramLabel = "WHERE", description = "where the engine runs: shared (on "
                + "the network thread), own (a thread of its own) or auto (default: shared with one network thread)")
        String engineThread;
        @Option(names = "--retention", paramLabel = "DUR", description = "remember finished jobs this long "
                + "(default 1h; ms, s, m, h, d)")
        String retention;
        @Option(names = "--retention-max", paramLabel = "N", description = "remember at most N finished jobs "
                + "(default 100000; 0: none)")
        Integer retentionMax;
        @Option(names = "-V", description = "increase verbosity (repeatable)")
        boolean[] verbose = new boolean[0];
        @Option(names = {"-v", "--version"}, description = "print the version and exit")
        boolean version;
        @Option(names = {"-h", "--help"}, description = "print this help and exit")
        boolean help;
    }

    private ConfigLoader() {
    }

    /**
     * Parses args. Throws {@link IllegalArgumentException} with a clear message for any invalid flag, file or
     * value, and {@link ExitRequest} for help and version.
     */
    public static BrokerConfig load(String[] args, String version) {
        return load(args, version, null);
    }

    /**
     * As {@link #load(String[], String)}, with the data directory to use when neither flags nor file name one
     * ({@code bin/sluiced} passes the checkout's {@code data/}: durable by default). Null keeps jobs in memory.
     */
    public static BrokerConfig load(String[] args, String version, String defaultDataDir) {
        Flags f = new Flags();
        CommandLine cl = new CommandLine(f);
        cl.setPosixClusteredShortOptionsAllowed(true);
        try {
            cl.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException(e.getMessage() + " (see -h)");
        }
        if (f.help) {
            throw new ExitRequest(cl.getUsageMessage());
        }
        if (f.version) {
            throw new ExitRequest("sluiced " + version);
        }
        BrokerConfig d = BrokerConfig.defaults();
        String listen = d.listen();
        int port = d.port();
        long maxJobSize = d.maxJobSize();
        String dataDir = defaultDataDir;
        boolean inMemory = false;
        long fsyncMs = d.fsyncMs();
        boolean fsyncNever = d.fsyncNever();
        long segmentSize = d.segmentSize();
        int ioThreads = d.ioThreads();
        BrokerConfig.EngineThread engineThread = d.engineThread();
        int verbose = d.verbose();
        long retention = d.retentionMillis();
        int retentionMax = d.retentionMax();
        if (f.config != null) {
            JsonNode root = readFile(f.config);
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!FILE_KEYS.contains(e.getKey()) && !e.getKey().startsWith("_")) {
                    throw new IllegalArgumentException(f.config + ": unknown setting '" + e.getKey()
                            + "' (known: " + String.join(", ", new java.util.TreeSet<>(FILE_KEYS)) + ")");
                }
            }
            listen = text(root, "listen", listen, f.config);
            port = (int) number(root, "port", port, f.config);
            maxJobSize = number(root, "max-job-size", maxJobSize, f.config);
            dataDir = root.has("data-dir") && root.get("data-dir").isNull() ? null : text(root, "data-dir", dataDir,
                    f.config);
            fsyncMs = number(root, "fsync-ms", fsyncMs, f.config);
            fsyncNever = bool(root, "fsync-never", fsyncNever, f.config);
            segmentSize = number(root, "segment-size", segmentSize, f.config);
            ioThreads = (int) number(root, "io-threads", ioThreads, f.config);
            if (root.has("engine-thread")) {
                engineThread = BrokerConfig.EngineThread.parse(text(root, "engine-thread", null, f.config),
                        f.config + ": engine-thread");
            }
            verbose = (int) number(root, "verbose", verbose, f.config);
            inMemory = bool(root, "in-memory", inMemory, f.config);
            if (root.has("retention")) {
                retention = duration(text(root, "retention", null, f.config), f.config + ": retention");
            }
            retentionMax = (int) number(root, "retention-max", retentionMax, f.config);
        }
        if (f.retention != null) {
            retention = duration(f.retention, "--retention");
        }
        retentionMax = f.retentionMax != null ? f.retentionMax : retentionMax;
        listen = f.listen != null ? f.listen : listen;
        port = f.port != null ? f.port : port;
        maxJobSize = f.maxJobSize != null ? f.maxJobSize : maxJobSize;
        dataDir = f.dataDir != null ? f.dataDir : dataDir;
        fsyncMs = f.fsyncMs != null ? f.fsyncMs : fsyncMs;
        fsyncNever = f.fsyncNever || fsyncNever;
        segmentSize = f.segmentSize != null ? f.segmentSize : segmentSize;
        ioThreads = f.ioThreads != null ? f.ioThreads : ioThreads;
        if (f.engineThread != null) {
            engineThread = BrokerConfig.EngineThread.parse(f.engineThread, "--engine-thread");
        }
        verbose += f.verbose.length;
        if (f.inMemory && f.dataDir != null) {
            throw new IllegalArgumentException("--in-memory and -b/--data-dir contradict each other");
        }
        if (f.inMemory || (inMemory && f.dataDir == null)) {
            dataDir = null;
        }
        return new BrokerConfig(listen, port, maxJobSize, dataDir, fsyncMs, fsyncNever, segmentSize, ioThreads,
                verbose, f.recoverTruncate, retention, retentionMax, engineThread).validate();
    }

    /** A duration setting ({@code 90s}, {@code 1h}, ...) in ms. */
    private static long duration(String text, String what) {
        byte[] b = text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        long nanos = io.sluice.broker.protocol.Durations.parse(b, 0, b.length);
        if (nanos < 0) {
            throw new IllegalArgumentException(what + ": '" + text + "' is not a duration (e.g. 500ms, 90s, 1h, 7d)");
        }
        return nanos / 1_000_000;
    }

    private static JsonNode readFile(File file) {
        try {
            return new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read config file " + file + ": " + e.getMessage());
        }
    }

    private static String text(JsonNode root, String key, String dflt, File file) {
        JsonNode n = root.get(key);
        if (n == null) {
            return dflt;
        }
        if (!n.isTextual()) {
            throw new IllegalArgumentException(file + ": '" + key + "' must be a string, got " + n);
        }
        return n.asText();
    }

    private static long number(JsonNode root, String key, long dflt, File file) {
        JsonNode n = root.get(key);
        if (n == null) {
            return dflt;
        }
        if (!n.isIntegralNumber()) {
            throw new IllegalArgumentException(file + ": '" + key + "' must be a whole number, got " + n);
        }
        return n.asLong();
    }

    private static boolean bool(JsonNode root, String key, boolean dflt, File file) {
        JsonNode n = root.get(key);
        if (n == null) {
            return dflt;
        }
        if (!n.isBoolean()) {
            throw new IllegalArgumentException(file + ": '" + key + "' must be true or false, got " + n);
        }
        return n.asBoolean();
    }
}
