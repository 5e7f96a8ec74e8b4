package io.sluice.client;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real {@code sluiced} process (broker Main on this test classpath, which holds sluice-broker and its
 * dependencies) with a durable log, for tests that kill it with SIGKILL. The broker module's own helper is in its
 * test sources, which this module cannot see; this is the same approach. Test (controlling) thread only.
 */
final class BrokerProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on [^:]+:(\\d+)");

    private final Process process;
    private final int port;

    private BrokerProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * Starts a broker logging to {@code dataDir} (fsync always, the default) on a free port below Linux's default
     * ephemeral range (32768-60999), so that no outgoing connection or port-0 listener of another process takes the
     * port while the broker is down between a kill and its restart.
     */
    static BrokerProcess startOnFreePort(Path dataDir) throws IOException, InterruptedException {
        for (int i = 0; i < 20; i++) {
            int port = 20000 + ThreadLocalRandom.current().nextInt(12000);
            if (!free(port)) {
                continue;
            }
            BrokerProcess b = launch(dataDir, port, new StringBuilder());
            if (b != null) {
                return b;
            }
        }
        throw new AssertionError("no free port for the broker");
    }

    /** Starts a broker on {@code port} again; a failure to listen is retried until {@code within} has passed. */
    static BrokerProcess restart(Path dataDir, int port, Duration within) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            StringBuilder seen = new StringBuilder();
            BrokerProcess b = launch(dataDir, port, seen);
            if (b != null) {
                return b;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("broker did not start again on port " + port + ":\n" + seen);
            }
            Thread.sleep(100);
        }
    }

    /** The started broker, or null if it could not listen on {@code port}; any other failure throws. */
    private static BrokerProcess launch(Path dataDir, int port, StringBuilder seen) throws IOException,
            InterruptedException {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.sluice.broker.Main",
                "-l", "127.0.0.1", "-p", Integer.toString(port), "-b", dataDir.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        int listening = awaitPort(p, seen);
        if (listening > 0) {
            return new BrokerProcess(p, listening);
        }
        p.waitFor(10, TimeUnit.SECONDS);
        p.destroyForcibly();
        if (seen.indexOf("cannot listen") < 0) {
            throw new AssertionError("broker did not start on port " + port + ":\n" + seen);
        }
        return null;
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return s.isBound();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Reads the output until the broker says where it listens and returns that port (then keeps draining the
     * output so the process never blocks on a full pipe), or returns -1 when the output ends first.
     */
    private static int awaitPort(Process p, StringBuilder seen) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null) {
            seen.append(line).append('\n');
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
                Thread drain = new Thread(() -> {
                    try {
                        while (out.readLine() != null) {
                            // discard
                        }
                    } catch (IOException ignored) {
                        // the process is gone
                    }
                }, "broker-output");
                drain.setDaemon(true);
                drain.start();
                return Integer.parseInt(m.group(1));
            }
        }
        return -1;
    }

    int port() {
        return port;
    }

    /** SIGKILL, and waits until the process is gone (so its port and data-dir lock are free). */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new AssertionError("broker " + process.pid() + " survived SIGKILL");
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }

    @Override
    public String toString() {
        return "sluiced pid " + process.pid() + " on port " + port;
    }
}
