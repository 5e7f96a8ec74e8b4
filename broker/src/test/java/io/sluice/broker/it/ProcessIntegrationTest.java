package io.sluice.broker.it;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The real {@code sluiced} process: flags, config errors, signals (SIGUSR1 drain, SIGTERM graceful stop). */
class ProcessIntegrationTest {
    private static Process launch(String... args) throws IOException {
        return BrokerProcess.launch(args);
    }

    private static void signal(Process p, String sig) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + sig, Long.toString(p.pid())).start();
        assertEquals(0, kill.waitFor());
    }

    @Test
    void sigusr1DrainsAndSigtermStopsGracefully() throws Exception {
        Process p = launch("-p", "0", "-z", "1000", "--in-memory");
        try {
            int port = BrokerProcess.awaitPort(p);
            try (Wire w = new Wire(port)) {
                w.call("put 0 0 60 1\r\na\r\n", "INSERTED 1\r\n");
                assertEquals("1000", w.stat("stats\r\n", "max-job-size"));
                signal(p, "USR1");
                String draining = "";
                for (int i = 0; i < 50 && !draining.equals("true"); i++) {
                    Thread.sleep(50);
                    draining = w.stat("stats\r\n", "draining");
                }
                assertEquals("true", draining);
                w.call("put 0 0 60 1\r\nb\r\n", "DRAINING\r\n");
                w.call("reserve\r\n", "RESERVED 1 1\r\na\r\n");
                signal(p, "TERM");
                assertTrue(p.waitFor(10, TimeUnit.SECONDS), "broker did not stop on SIGTERM");
                w.expectClosed();
            }
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void invalidSettingsStopWithAClearMessage() throws Exception {
        assertRejected(new String[] {"-p", "70000"}, "port: 70000 is not in 0..65535");
        assertRejected(new String[] {"-z", "abc"}, "--max-job-size");
        assertRejected(new String[] {"--no-such-flag"}, "no-such-flag");
        File bad = File.createTempFile("sluice", ".json");
        bad.deleteOnExit();
        Files.writeString(bad.toPath(), "{\"port\": 11300, \"max-job-sise\": 1}");
        assertRejected(new String[] {"-c", bad.getPath()}, "unknown setting 'max-job-sise'");
    }

    private static void assertRejected(String[] args, String message) throws Exception {
        assertExits(5, args, message);
    }

    private static void assertExits(int code, String[] args, String message) throws Exception {
        Process p = launch(args);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        assertEquals(code, p.exitValue(), out);
        assertTrue(out.contains(message), out);
    }

    @Test
    void aPortInUseStopsWithBeanstalkdsExitCode() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getLoopbackAddress())) {
            String port = String.valueOf(taken.getLocalPort());
            assertExits(111, new String[] {"-p", port, "--in-memory"}, "cannot listen on 127.0.0.1:" + port);
            java.nio.file.Path dir = Files.createTempDirectory("sluice-port");
            assertExits(111, new String[] {"-p", port, "-b", dir.toString()}, "cannot listen on 127.0.0.1:" + port);
        }
    }

    @Test
    void helpAndVersion() throws Exception {
        Process p = launch("-h");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        assertTrue(out.contains("-z, --max-job-size"), out);
        p = launch("-v");
        out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        assertTrue(out.startsWith("sluiced "), out);
    }
}
