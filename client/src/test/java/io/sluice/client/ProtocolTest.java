package io.sluice.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Reply reading and the small parsers, without a network. */
class ProtocolTest {

    @Test
    void yamlMapStripsQuotesAndKeepsColonsInValues() {
        Map<String, String> m = Yaml.map(("---\nid: 3\ntube: \"my-tube\"\nos: \"#1 SMP 12:34:56\"\n"
                + "version: 1.12\ntime-left: -1\n").getBytes(UTF_8));
        assertEquals(Map.of("id", "3", "tube", "my-tube", "os", "#1 SMP 12:34:56", "version", "1.12",
                "time-left", "-1"), m);
        assertEquals(-1, Yaml.num(m, "time-left"));
        assertEquals(0, Yaml.num(m, "absent"));
        assertThrows(UnexpectedReplyException.class, () -> Yaml.num(m, "tube"));
    }

    @Test
    void yamlList() {
        assertEquals(List.of("default", "a(b)", "x"), Yaml.list("---\n- default\n- a(b)\n- \"x\"\n".getBytes(UTF_8)));
        assertEquals(List.of(), Yaml.list("---\n".getBytes(UTF_8)));
    }

    @Test
    void jobStatsParsesTheReferenceExample() {
        JobStats s = JobStats.parse(("---\nid: 3\ntube: \"my-tube\"\nstate: reserved\npri: 666\nage: 449\n"
                + "delay: 0\nttr: 10000\ntime-left: 9999\nfile: 0\nreserves: 7\ntimeouts: 0\nreleases: 0\n"
                + "buries: 0\nkicks: 0\n").getBytes(UTF_8));
        assertEquals(new JobStats(3, "my-tube", "reserved", 666, 449, 0, 10000, 9999, 0, 7, 0, 0, 0, 0, s.raw()), s);
    }

    @Test
    void replyReaderFramesLinesAndBlocksAcrossSplits() throws IOException {
        byte[] wire = "INSERTED 5\r\nRESERVED 5 4\r\na\r\nb\r\nOK 0\r\n\r\nNOT_FOUND\r\n".getBytes(UTF_8);
        ReplyReader r = new ReplyReader(new Trickle(wire));
        assertEquals("INSERTED 5", r.read().line());
        Reply reserved = r.read();
        assertEquals("RESERVED 5 4", reserved.line());
        assertEquals("a\r\nb", new String(reserved.body(), UTF_8));
        assertEquals(0, r.read().body().length);
        Reply nf = r.read();
        assertEquals("NOT_FOUND", nf.word());
        assertEquals(null, nf.body());
        assertThrows(EOFException.class, r::read);
    }

    @Test
    void replyReaderResumesAfterATimeout() throws IOException {
        byte[] wire = "FOUND 9 3\r\nxyz\r\n".getBytes(UTF_8);
        ReplyReader r = new ReplyReader(new TimingOut(wire, 4, 13));
        assertThrows(SocketTimeoutException.class, r::read);
        assertThrows(SocketTimeoutException.class, r::read);
        Reply found = r.read();
        assertEquals("FOUND 9 3", found.line());
        assertEquals("xyz", new String(found.body(), UTF_8));
    }

    @Test
    void replyReaderRejectsBrokenFraming() {
        assertThrows(ReplyReader.ProtocolViolation.class,
                () -> new ReplyReader(new ByteArrayInputStream("OK 2\r\nabcd".getBytes(UTF_8))).read());
        assertThrows(ReplyReader.ProtocolViolation.class,
                () -> new ReplyReader(new ByteArrayInputStream("OK x\r\n".getBytes(UTF_8))).read());
        assertThrows(ReplyReader.ProtocolViolation.class,
                () -> new ReplyReader(new ByteArrayInputStream(new byte[2000])).read());
    }

    @Test
    void replyTokens() {
        Reply r = new Reply("RESERVED 18446744073709551615 12", null);
        assertEquals("RESERVED", r.word());
        assertEquals(-1L, r.number(1));
        assertEquals(12, r.count(2));
        assertEquals(3, r.tokenCount());
        assertThrows(UnexpectedReplyException.class, () -> r.token(3));
    }

    @Test
    void parsedRepliesAnswerAsTheirLines() throws IOException {
        // the first six take the byte path, the rest the String path; both must answer the same
        String[] lines = {"INSERTED 5", "DELETED", "BURIED 0", "WATCHING 12", "KICKED 3 4", "TIMED_OUT",
                "INSERTED 007", "INSERTED +5", "INSERTED 12345678901234567890", "INSERTED 5 6 7", "DELETED ",
                "INSERTED  5", "INSERTED 5x", "USING t", "WHAT 1", "", "inserted 5"};
        StringBuilder wire = new StringBuilder();
        for (String l : lines) {
            wire.append(l).append("\r\n");
        }
        ReplyReader reader = new ReplyReader(new ByteArrayInputStream(wire.toString().getBytes(UTF_8)));
        for (String l : lines) {
            Reply got = reader.read();
            Reply want = new Reply(l, null);
            assertEquals(l, got.line());
            assertEquals(want.word(), got.word());
            assertEquals(want.tokenCount(), got.tokenCount());
            for (int i = 0; i <= want.tokenCount(); i++) {
                assertSame(want, got, i);
            }
        }
    }

    private static void assertSame(Reply want, Reply got, int i) {
        assertEquals(outcome(() -> want.token(i)), outcome(() -> got.token(i)), want.line() + " token " + i);
        assertEquals(outcome(() -> want.number(i)), outcome(() -> got.number(i)), want.line() + " number " + i);
        assertEquals(outcome(() -> want.count(i)), outcome(() -> got.count(i)), want.line() + " count " + i);
    }

    private static String outcome(java.util.function.Supplier<Object> s) {
        try {
            return String.valueOf(s.get());
        } catch (RuntimeException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    @Test
    void replyReaderPollTakesOnlyWholeReplies() throws IOException {
        // 0..12 INSERTED, 12..26 the RESERVED line, 26..31 its block, 31..39 DELETED without its LF
        byte[] wire = "INSERTED 1\r\nRESERVED 2 3\r\nabc\r\nDELETED\r".getBytes(UTF_8);
        ReplyReader r = new ReplyReader(new TimingOut(wire, 14, 28, wire.length));
        assertEquals(null, r.poll()); // poll never reads the stream
        assertEquals("INSERTED 1", r.read().line());
        assertEquals(null, r.poll()); // "RE"
        assertThrows(SocketTimeoutException.class, r::read);
        assertThrows(SocketTimeoutException.class, r::read); // the line, and "ab" of the block
        assertEquals(null, r.poll());
        Reply reserved = r.read();
        assertEquals(3, reserved.count(2));
        assertEquals("abc", new String(reserved.body(), UTF_8));
        assertEquals(null, r.poll());
        assertThrows(SocketTimeoutException.class, r::read);
        assertThrows(EOFException.class, r::read);
    }

    @Test
    void replyReaderReadsALargeBodyStraightIntoItsArray() throws IOException {
        byte[] body = new byte[100_000];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) i;
        }
        java.io.ByteArrayOutputStream wire = new java.io.ByteArrayOutputStream();
        wire.writeBytes(("FOUND 7 " + body.length + "\r\n").getBytes(UTF_8));
        wire.writeBytes(body);
        wire.writeBytes("\r\nOK 0\r\n\r\n".getBytes(UTF_8));
        ReplyReader r = new ReplyReader(new ByteArrayInputStream(wire.toByteArray()));
        Reply found = r.read();
        assertEquals("FOUND 7 100000", found.line());
        org.junit.jupiter.api.Assertions.assertArrayEquals(body, found.body());
        assertEquals(0, r.read().body().length);
    }

    @Test
    void outputEncodesPutWithoutStrings() throws IOException {
        java.io.ByteArrayOutputStream sink = new java.io.ByteArrayOutputStream();
        Output out = Output.toStream(sink, 16);
        byte[] body = "0123456789abcdefghij".getBytes(UTF_8); // longer than the buffer: written through
        Protocol.Put put = Protocol.put(4_294_967_295L, Duration.ofMillis(1), Duration.ofSeconds(60), body);
        put.writeTo(out);
        out.writeUnsigned(0);
        out.writeByte(' ');
        out.writeUnsigned(-1);
        out.flush();
        assertEquals("put 4294967295 1 60 20\r\n0123456789abcdefghij\r\n0 18446744073709551615",
                sink.toString(UTF_8));
        assertEquals("put 4294967295 1 60 20", put.text());
        Output staged = Output.growing(4);
        staged.append(put);
        assertEquals("put 4294967295 1 60 20\r\n0123456789abcdefghij\r\n",
                new String(staged.array(), 0, staged.size(), UTF_8));
        assertEquals(42, put.id(new Reply("INSERTED 42", null)));
        assertEquals(7, assertThrows(BuriedException.class, () -> put.id(new Reply("BURIED 7", null))).id());
        assertThrows(JobTooBigException.class, () -> put.id(new Reply("JOB_TOO_BIG", null)));
    }

    @Test
    void durationsRoundUpToWholeSeconds() {
        assertEquals(0, Protocol.seconds("d", Duration.ZERO, 10));
        assertEquals(1, Protocol.seconds("d", Duration.ofNanos(1), 10));
        assertEquals(2, Protocol.seconds("d", Duration.ofMillis(1001), 10));
        assertThrows(IllegalArgumentException.class, () -> Protocol.seconds("d", Duration.ofSeconds(11), 10));
        assertThrows(IllegalArgumentException.class, () -> Protocol.seconds("d", Duration.ofSeconds(-1), 10));
    }

    @Test
    void workerBackoffDoublesUpToTheMax() {
        Duration base = Duration.ofSeconds(1);
        Duration max = Duration.ofSeconds(10);
        assertEquals(Duration.ofSeconds(1), Worker.backoff(base, max, 1));
        assertEquals(Duration.ofSeconds(8), Worker.backoff(base, max, 4));
        assertEquals(Duration.ofSeconds(10), Worker.backoff(base, max, 5));
        assertEquals(Duration.ofSeconds(10), Worker.backoff(base, max, 1000));
        assertEquals(Duration.ZERO, Worker.backoff(Duration.ZERO, max, 3));
        assertEquals(Duration.ofSeconds(1), Worker.ceilSeconds(Duration.ofMillis(200)));
        assertEquals(Duration.ofSeconds(2), Worker.ceilSeconds(Duration.ofMillis(1001)));
        assertEquals(Duration.ofSeconds(3), Worker.ceilSeconds(Duration.ofSeconds(3)));
        assertEquals(Duration.ZERO, Worker.ceilSeconds(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> Worker.builder(ClientConfig.builder().build())
                .handle("t", job -> { }).handle("t", job -> { }));
    }

    /** Hands out one byte per read. */
    static final class Trickle extends InputStream {
        private final byte[] data;
        private int pos;

        Trickle(byte[] data) {
            this.data = data;
        }

        @Override
        public int read() {
            return pos < data.length ? data[pos++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos >= data.length) {
                return -1;
            }
            b[off] = data[pos++];
            return 1;
        }
    }

    /** Times out once at each given offset, as a socket read with SO_TIMEOUT would. */
    static final class TimingOut extends InputStream {
        private final byte[] data;
        private final int[] stops;
        private int pos;
        private int stop;

        TimingOut(byte[] data, int... stops) {
            this.data = data;
            this.stops = stops;
        }

        @Override
        public int read() {
            throw new UnsupportedOperationException();
        }

        @Override
        public int read(byte[] b, int off, int len) throws SocketTimeoutException {
            if (stop < stops.length && pos == stops[stop]) {
                stop++;
                throw new SocketTimeoutException();
            }
            if (pos >= data.length) {
                return -1;
            }
            int end = stop < stops.length ? Math.min(stops[stop], data.length) : data.length;
            int n = Math.min(len, end - pos);
            System.arraycopy(data, pos, b, off, n);
            pos += n;
            return n;
        }
    }
}
