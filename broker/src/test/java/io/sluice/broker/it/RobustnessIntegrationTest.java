package io.sluice.broker.it;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.Socket;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile and careless clients: garbage, huge lines, unterminated input, abandoned puts, clients that never read,
 * connection storms. After each, the broker must still serve everyone else and have lost nothing.
 */
class RobustnessIntegrationTest {
    private TestBroker broker;

    @BeforeEach
    void start() throws Exception {
        broker = TestBroker.start();
    }

    @AfterEach
    void stop() throws Exception {
        broker.close();
    }

    /** A healthy client round trip, proving the broker still works. */
    private void healthy() throws Exception {
        try (Wire w = broker.connect()) {
            w.call("use healthy\r\n", "USING healthy\r\n");
            w.send("put 0 0 60 2\r\nok\r\n");
            String line = w.line();
            assertTrue(line.startsWith("INSERTED "), line);
            String id = line.substring(9);
            w.call("delete " + id + "\r\n", "DELETED\r\n");
        }
    }

    /** The engine sees closes asynchronously: polls a stats value until it settles (5 s at most). */
    private static String settled(Wire w, String key, String expected) throws Exception {
        String v = "";
        for (int i = 0; i < 100 && !v.equals(expected); i++) {
            v = w.stat("stats\r\n", key);
            if (!v.equals(expected)) {
                Thread.sleep(50);
            }
        }
        return v;
    }

    @Test
    void megabyteLinesAreRejectedAndTheConnectionSurvives() throws Exception {
        try (Wire w = broker.connect()) {
            byte[] big = new byte[4 << 20];
            java.util.Arrays.fill(big, (byte) 'x');
            w.send(big);
            w.send("\r\nlist-tube-used\r\n");
            w.expect("BAD_FORMAT\r\nUSING default\r\n");
        }
        healthy();
    }

    @Test
    void binaryGarbageGetsErrorsNotACrash() throws Exception {
        Random rnd = new Random(42);
        try (Wire w = broker.connect()) {
            for (int i = 0; i < 200; i++) {
                byte[] junk = new byte[rnd.nextInt(300) + 1];
                rnd.nextBytes(junk);
                for (int k = 0; k < junk.length; k++) {
                    if (junk[k] == '\r' || junk[k] == 'p' || junk[k] == 'q') {
                        junk[k] = 'z'; // no accidental line ends, puts or quits: one reply per line below
                    }
                }
                w.send(junk);
                w.send("\r\n");
                String reply = w.line();
                assertTrue(reply.equals("UNKNOWN_COMMAND") || reply.equals("BAD_FORMAT"), reply);
            }
            w.call("list-tube-used\r\n", "USING default\r\n");
        }
        healthy();
    }

    @Test
    void abandonedPutsAndUnterminatedLinesLoseNothing() throws Exception {
        try (Wire keeper = broker.connect()) {
            keeper.call("put 0 0 60 4\r\nkeep\r\n", "INSERTED 1\r\n");
            for (int i = 0; i < 50; i++) {
                try (Wire w = broker.connect()) {
                    w.send(i % 2 == 0 ? "put 0 0 60 1000\r\npartial" : "reserve-with-tim");
                }
            }
            keeper.call("peek 1\r\n", "FOUND 1 4\r\nkeep\r\n");
            assertEquals("1", settled(keeper, "current-connections", "1"));
            assertEquals("1", keeper.stat("stats\r\n", "total-jobs"));
        }
        healthy();
    }

    @Test
    void aClientThatNeverReadsDoesNotHurtOthers() throws Exception {
        try (Wire w = broker.connect()) {
            w.call("put 0 0 60 60000\r\n" + "b".repeat(60000) + "\r\n", "INSERTED 1\r\n");
        }
        try (Socket hog = new Socket("127.0.0.1", broker.port())) {
            hog.setSoTimeout(1000);
            OutputStream out = hog.getOutputStream();
            byte[] peeks = "peek 1\r\n".repeat(1000).getBytes();
            // Push ~60 MB of replies at a reader that never reads, from a writer thread (our own writes may block).
            Thread writer = new Thread(() -> {
                try {
                    for (int i = 0; i < 1000; i++) {
                        out.write(peeks);
                    }
                } catch (Exception ignored) {
                    // blocked and then closed: fine
                }
            });
            writer.setDaemon(true);
            writer.start();
            Thread.sleep(1000);
            long start = System.nanoTime();
            healthy();
            assertTrue(System.nanoTime() - start < 2_000_000_000L, "other clients were slowed down");
        }
        healthy();
    }

    /**
     * A reader slower than the replies, with a small receive window: the socket takes only part of what a drain
     * encodes, and the rest (and every later reply) must follow in order, whole, through the channel.
     */
    @Test
    void aSlowReaderGetsEveryByteInOrder() throws Exception {
        int jobs = 100;
        int size = 3000; // copied into the reply buffer (at most 8 KB is), not sent as a buffer of its own
        try (Wire w = broker.connect()) {
            for (int i = 1; i <= jobs; i++) {
                w.call("put 0 0 60 " + size + "\r\n" + body(i, size) + "\r\n", "INSERTED " + i + "\r\n");
            }
        }
        StringBuilder cmds = new StringBuilder();
        StringBuilder expected = new StringBuilder();
        for (int round = 0; round < 20; round++) {
            for (int i = 1; i <= jobs; i++) {
                cmds.append("peek ").append(i).append("\r\n");
                expected.append("FOUND ").append(i).append(' ').append(size).append("\r\n").append(body(i, size))
                        .append("\r\n");
            }
        }
        try (Socket slow = new Socket()) {
            slow.setReceiveBufferSize(4096);
            slow.connect(new java.net.InetSocketAddress("127.0.0.1", broker.port()));
            slow.setSoTimeout(10_000);
            byte[] want = expected.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            Thread writer = new Thread(() -> {
                try {
                    slow.getOutputStream().write(cmds.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                } catch (Exception ignored) {
                    // the read side fails the test
                }
            });
            writer.setDaemon(true);
            writer.start();
            byte[] got = new byte[want.length];
            java.io.InputStream in = slow.getInputStream();
            int n = 0;
            byte[] chunk = new byte[1024];
            while (n < want.length) {
                int r = in.read(chunk, 0, Math.min(chunk.length, want.length - n));
                assertTrue(r > 0, "closed after " + n + " of " + want.length + " bytes");
                System.arraycopy(chunk, 0, got, n, r);
                n += r;
                if (n < 2_000_000 && (n / 1024) % 16 == 0) {
                    Thread.sleep(1); // slow at first, so that the broker's writes keep meeting a full socket
                }
            }
            assertEquals(new String(want, java.nio.charset.StandardCharsets.US_ASCII),
                    new String(got, java.nio.charset.StandardCharsets.US_ASCII));
        }
        healthy();
    }

    private static String body(int id, int size) {
        StringBuilder b = new StringBuilder(size);
        while (b.length() < size) {
            b.append(id).append('-').append(b.length()).append(';');
        }
        return b.substring(0, size);
    }

    @Test
    void thousandsOfConnectionsOpenAndClose() throws Exception {
        for (int round = 0; round < 3; round++) {
            Socket[] socks = new Socket[700];
            for (int i = 0; i < socks.length; i++) {
                socks[i] = new Socket("127.0.0.1", broker.port());
                if (i % 3 == 0) {
                    socks[i].getOutputStream().write("watch t\r\nreserve\r\n".getBytes());
                }
            }
            for (Socket s : socks) {
                s.close();
            }
        }
        healthy();
        try (Wire w = broker.connect()) {
            assertEquals("1", settled(w, "current-connections", "1"));
            assertEquals("0", w.stat("stats\r\n", "current-waiting"));
            assertEquals("2102", w.stat("stats\r\n", "total-connections")); // 3 x 700, healthy(), this one
        }
    }

    @Test
    void halfCloseWhileWaitingAnswersTimedOutThenCloses() throws Exception {
        try (Wire w = broker.connect()) {
            w.send("reserve\r\n").expectSilence(300);
            w.shutdownOutput();
            w.expect("TIMED_OUT\r\n");
            w.expectClosed();
        }
        try (Wire w = broker.connect()) {
            // pipelined commands before a half-close are all answered
            w.send("put 0 0 60 1\r\na\r\nlist-tube-used\r\n");
            w.shutdownOutput();
            w.expect("INSERTED 1\r\nUSING default\r\n");
            w.expectClosed();
        }
        healthy();
    }

    @Test
    void pipelinedCommandsAreAnsweredInOrder() throws Exception {
        try (Wire w = broker.connect()) {
            StringBuilder cmds = new StringBuilder();
            StringBuilder expected = new StringBuilder();
            for (int i = 1; i <= 5000; i++) {
                cmds.append("put 0 0 60 3\r\n").append(String.format("%03d", i % 1000)).append("\r\n");
                expected.append("INSERTED ").append(i).append("\r\n");
            }
            w.send(cmds.toString()).expect(expected.toString());
            StringBuilder res = new StringBuilder();
            StringBuilder exp = new StringBuilder();
            for (int i = 1; i <= 5000; i++) {
                res.append("reserve\r\ndelete ").append(i).append("\r\n");
                exp.append("RESERVED ").append(i).append(" 3\r\n").append(String.format("%03d", i % 1000))
                        .append("\r\nDELETED\r\n");
            }
            w.send(res.toString()).expect(exp.toString());
        }
    }

    @Test
    void commandsBehindABlockedReserveWaitForIt() throws Exception {
        try (Wire w = broker.connect(); Wire producer = broker.connect()) {
            w.send("reserve\r\nlist-tube-used\r\n").expectSilence(300);
            producer.call("put 0 0 60 1\r\nz\r\n", "INSERTED 1\r\n");
            w.expect("RESERVED 1 1\r\nz\r\nUSING default\r\n");
        }
    }
}
