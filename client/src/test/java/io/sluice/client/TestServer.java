package io.sluice.client;

import io.sluice.broker.Broker;
import io.sluice.broker.config.BrokerConfig;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * A broker for integration tests: an in-process Sluice or a real beanstalkd 1.12 process, on loopback. Supports
 * stopping and starting again on the same port. Test (controlling) thread only.
 */
abstract class TestServer implements AutoCloseable {
    static final Path BEANSTALKD = Path.of("/usr/bin/beanstalkd");

    abstract int port();

    /** Stops the broker: every connection to it closes. */
    abstract void stop() throws Exception;

    /** Starts a fresh broker (empty, in memory) on the same port after {@link #stop()}. */
    abstract void restart() throws Exception;

    /** Puts the broker in drain mode (every put answered DRAINING). */
    abstract void drain() throws Exception;

    ClientConfig config() {
        return ClientConfig.builder().port(port()).readTimeout(java.time.Duration.ofSeconds(10)).build();
    }

    @Override
    public abstract void close();

    static TestServer sluice() throws Exception {
        return new Sluice();
    }

    /** A beanstalkd process; aborts the calling test (or class) as skipped when beanstalkd is not installed. */
    static TestServer beanstalkd() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(BEANSTALKD), "beanstalkd is not installed at " + BEANSTALKD);
        return new Beanstalkd();
    }

    /** In-process Sluice, in memory. */
    static final class Sluice extends TestServer {
        private Broker broker;
        private final int port;

        Sluice() throws Exception {
            broker = Broker.start(BrokerConfig.defaults().withPort(0));
            port = broker.port();
        }

        @Override
        int port() {
            return port;
        }

        @Override
        void stop() throws Exception {
            if (broker != null) {
                broker.close();
                broker = null;
            }
        }

        @Override
        void restart() throws Exception {
            stop();
            broker = Broker.start(BrokerConfig.defaults().withPort(port));
        }

        @Override
        void drain() {
            broker.drain();
        }

        @Override
        public void close() {
            try {
                stop();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public String toString() {
            return "sluice:" + port;
        }
    }

    /** A real beanstalkd on a free port in 40000..49999, in memory. */
    static final class Beanstalkd extends TestServer {
        private Process process;
        private final int port;

        Beanstalkd() throws Exception {
            this.port = launchOnFreePort();
        }

        private int launchOnFreePort() throws Exception {
            IOException last = null;
            for (int i = 0; i < 20; i++) {
                int p = 40000 + ThreadLocalRandom.current().nextInt(10000);
                if (!free(p)) {
                    continue;
                }
                try {
                    process = launch(p);
                    return p;
                } catch (IOException e) {
                    last = e;
                }
            }
            throw new IOException("could not start beanstalkd", last);
        }

        private static boolean free(int p) {
            try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
                return s.isBound();
            } catch (IOException e) {
                return false;
            }
        }

        private static Process launch(int p) throws IOException, InterruptedException {
            Process proc = new ProcessBuilder(List.of(BEANSTALKD.toString(), "-l", "127.0.0.1", "-p",
                    Integer.toString(p))).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            // Wait for the listening socket without connecting (a probe would show in its stats).
            String listening = String.format(":%04X 00000000:0000 0A", p);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (System.nanoTime() < deadline) {
                if (Files.readString(Path.of("/proc/net/tcp")).contains(listening)) {
                    return proc;
                }
                if (!proc.isAlive()) {
                    throw new IOException("beanstalkd exited with " + proc.exitValue());
                }
                Thread.sleep(10);
            }
            proc.destroyForcibly();
            throw new IOException("beanstalkd did not listen on " + p);
        }

        @Override
        int port() {
            return port;
        }

        @Override
        void stop() throws Exception {
            if (process != null) {
                process.destroy();
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
                process = null;
            }
        }

        @Override
        void restart() throws Exception {
            stop();
            process = launch(port);
        }

        @Override
        void drain() throws Exception {
            Process k = new ProcessBuilder("kill", "-USR1", Long.toString(process.pid())).inheritIO().start();
            if (k.waitFor() != 0) {
                throw new IOException("kill -USR1 failed");
            }
        }

        @Override
        public void close() {
            try {
                stop();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public String toString() {
            return "beanstalkd:" + port;
        }
    }
}
