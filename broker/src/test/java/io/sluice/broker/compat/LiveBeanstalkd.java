package io.sluice.broker.compat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real beanstalkd process on a free loopback port, in memory, for differential tests. Test thread only. */
final class LiveBeanstalkd implements AutoCloseable {
    private final Process process;
    private final int port;

    private LiveBeanstalkd(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static LiveBeanstalkd start(Path binary, List<String> args) throws IOException, InterruptedException {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        List<String> cmd = new ArrayList<>(List.of(binary.toString(), "-l", "127.0.0.1", "-p", Integer.toString(port)));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        // Wait for the listening socket without connecting to it: a probe connection would show in its stats.
        String listening = String.format(":%04X 00000000:0000 0A", port);
        while (System.nanoTime() < deadline) {
            if (Files.readString(Path.of("/proc/net/tcp")).contains(listening)) {
                return new LiveBeanstalkd(p, port);
            }
            if (!p.isAlive()) {
                throw new IOException("beanstalkd exited with " + p.exitValue());
            }
            Thread.sleep(20);
        }
        p.destroyForcibly();
        throw new IOException("beanstalkd did not start listening on " + port);
    }

    int port() {
        return port;
    }

    /** SIGKILL, as a crash: nothing is flushed or closed by the server itself. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor(5, TimeUnit.SECONDS);
    }
}
