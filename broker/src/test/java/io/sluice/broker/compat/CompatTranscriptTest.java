package io.sluice.broker.compat;

import io.sluice.broker.Broker;
import io.sluice.broker.config.BrokerConfig;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The compatibility suite: every transcript recorded against the real beanstalkd 1.12 ({@code compat/}) is
 * replayed against a fresh Sluice broker, and the replies must match byte for byte (after {@link
 * Transcript#normalize}). Job ids are not normalised: each transcript starts from a fresh server on both sides.
 */
class CompatTranscriptTest {

    /**
     * Transcripts where beanstalkd 1.12 has a bug that Sluice deliberately fixes (PROTOCOL.md §7). They must still
     * differ: if one starts matching, the list (and PROTOCOL.md) is out of date. Sluice's own behaviour for the
     * same input is pinned down in {@code LineEdgesIntegrationTest} and {@code CommandsIntegrationTest}.
     */
    static final Map<String, String> KNOWN_DIFFERENCES = Map.of(
            "line_bare_cr", "a bare CR before the CRLF hides the line end until 224 bytes have piled up",
            "line_bare_cr_after_command", "the same, after a good command in the same packet",
            "line_too_long", "a 225-byte line whose CR ends the 224-byte window swallows the next command",
            "line_too_long_pipelined", "the same, pipelined");

    @TestFactory
    Stream<DynamicTest> transcriptsMatchBeanstalkd() throws IOException, URISyntaxException {
        return transcripts(BrokerConfig.EngineThread.SHARED);
    }

    /** The same with the engine on a thread of its own (the default with more than one network thread). */
    @TestFactory
    Stream<DynamicTest> transcriptsMatchBeanstalkdWithTheEngineOnItsOwnThread() throws IOException, URISyntaxException {
        return transcripts(BrokerConfig.EngineThread.OWN);
    }

    private static Stream<DynamicTest> transcripts(BrokerConfig.EngineThread engine)
            throws IOException, URISyntaxException {
        List<Path> files = files();
        assertFalse(files.isEmpty(), "no transcripts");
        return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
            String name = f.getFileName().toString().replace(".json", "");
            String why = KNOWN_DIFFERENCES.get(name);
            if (why == null) {
                replay(f, engine);
            } else {
                assertThrows(AssertionError.class, () -> replay(f, engine), name + " now matches beanstalkd, yet it "
                        + "is listed as a known difference (" + why + ")");
            }
        }));
    }

    /**
     * The same transcripts against a live beanstalkd, when one is installed ({@code .ci/run} installs it): proves
     * the recordings still describe the real server, so the suite above cannot drift into testing itself.
     */
    @TestFactory
    Stream<DynamicTest> transcriptsStillMatchLiveBeanstalkd() throws IOException, URISyntaxException {
        Assumptions.assumeTrue(Files.isExecutable(BEANSTALKD), "beanstalkd is not installed");
        return files().stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
            Transcript t = Transcript.load(f);
            String name = f.getFileName().toString().replace(".json", "");
            Assumptions.assumeFalse(FLAKY_ON_BEANSTALKD.containsKey(name), FLAKY_ON_BEANSTALKD.get(name));
            try (LiveBeanstalkd b = LiveBeanstalkd.start(BEANSTALKD, t.args())) {
                replay(t, b.port());
            }
        }));
    }

    private static final Path BEANSTALKD = Path.of("/usr/bin/beanstalkd");

    /** Recordings that beanstalkd itself does not reproduce every time, because of the bugs listed above. */
    static final Map<String, String> FLAKY_ON_BEANSTALKD = Map.of(
            "ttr_expiry_waiting", "whether beanstalkd notices the idle connection's TTR depends on other timers");

    private static List<Path> files() throws IOException, URISyntaxException {
        Path dir = Path.of(CompatTranscriptTest.class.getResource("/compat").toURI());
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
    }

    private static void replay(Path file, BrokerConfig.EngineThread engine) throws Exception {
        Transcript t = Transcript.load(file);
        BrokerConfig config = BrokerConfig.defaults().withPort(0).withEngineThread(engine);
        for (int i = 0; i < t.args().size(); i++) {
            if (t.args().get(i).equals("-z")) {
                config = config.withMaxJobSize(Long.parseLong(t.args().get(i + 1)));
            }
        }
        try (Broker broker = Broker.start(config)) {
            replay(t, broker.port());
        }
    }

    private static void replay(Transcript t, int port) throws Exception {
        Map<Integer, Socket> conns = new HashMap<>();
        try {
            int stepNo = 0;
            for (Transcript.Step s : t.steps()) {
                stepNo++;
                String where = t.name() + " step " + stepNo + " (" + s.op() + " on c" + s.conn() + ")";
                switch (s.op()) {
                    case "send" -> conn(conns, s.conn(), port).getOutputStream()
                            .write(s.data().getBytes(StandardCharsets.ISO_8859_1));
                    case "recv" -> expectReplies(conn(conns, s.conn(), port), s.data(), where);
                    case "sleep" -> Thread.sleep(s.ms());
                    case "close" -> conns.remove(s.conn()).close();
                    case "shutwr" -> conn(conns, s.conn(), port).shutdownOutput();
                    case "expectClose" -> expectClose(conn(conns, s.conn(), port), where);
                    case "noReply" -> expectSilence(conn(conns, s.conn(), port), s.ms(), where);
                    default -> fail(where + ": unknown op " + s.op());
                }
            }
        } finally {
            for (Socket s : conns.values()) {
                s.close();
            }
        }
    }

    private static Socket conn(Map<Integer, Socket> conns, int id, int port) throws IOException {
        Socket s = conns.get(id);
        if (s == null) {
            s = new Socket("127.0.0.1", port);
            s.setTcpNoDelay(true);
            s.setSoTimeout(5000);
            conns.put(id, s);
        }
        return s;
    }

    /** Reads as many whole replies as the recording holds, then compares them normalised. */
    private static void expectReplies(Socket s, String recorded, String where) throws IOException {
        List<String> expected = Transcript.splitReplies(recorded);
        List<String> got = new ArrayList<>();
        InputStream in = s.getInputStream();
        for (int i = 0; i < expected.size(); i++) {
            try {
                got.add(Transcript.readReply(in));
            } catch (IOException e) {
                fail(where + ": " + e.getMessage() + " after " + got);
            }
        }
        assertEquals(render(expected), render(got), where);
    }

    private static String render(List<String> replies) {
        StringBuilder sb = new StringBuilder();
        for (String r : replies) {
            sb.append(Transcript.normalize(r).replace("\r", "\\r").replace("\n", "\\n\n")).append("\n");
        }
        return sb.toString();
    }

    private static void expectClose(Socket s, String where) throws IOException {
        try {
            int c = s.getInputStream().read();
            assertEquals(-1, c, where + ": expected the server to close the connection");
        } catch (SocketException reset) {
            // closed with a reset: also closed
        }
    }

    private static void expectSilence(Socket s, int ms, String where) throws IOException {
        s.setSoTimeout(Math.max(ms, 1));
        try {
            int c = s.getInputStream().read();
            fail(where + ": expected silence, got " + (c < 0 ? "a close" : "byte '" + (char) c + "'"));
        } catch (SocketTimeoutException expected) {
            // silent
        } finally {
            s.setSoTimeout(5000);
        }
    }
}
