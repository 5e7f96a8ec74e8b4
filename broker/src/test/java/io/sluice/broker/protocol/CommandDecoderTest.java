package io.sluice.broker.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link CommandDecoder} on an {@link EmbeddedChannel}: framing (reference §1, §5.1, §9, §10, §13), and the same
 * commands however the bytes are split across reads. Input buffers come from the leak-tracked unpooled allocator and
 * every one must be released by the end of each test.
 */
class CommandDecoderTest {
    private static final String BAD = "Invalid[reply=BAD_FORMAT, countedAs=NONE]";
    private static final String BAD_PUT = "Invalid[reply=BAD_FORMAT, countedAs=PUT]";
    private static final String UNKNOWN = "Invalid[reply=UNKNOWN_COMMAND, countedAs=NONE]";
    private static final String TOO_BIG = "Invalid[reply=JOB_TOO_BIG, countedAs=PUT]";
    private static final String BAD_BODY = "PutBadBody[]";

    // ------------------------------------------------------------------ harness

    /** A channel with a decoder, feeding leak-tracked buffers and checking they are all released. */
    private static final class Harness {
        final CommandDecoder decoder;
        final EmbeddedChannel ch;
        final List<ByteBuf> fed = new ArrayList<>();
        private boolean direct;

        Harness(long maxJobSize) {
            decoder = new CommandDecoder(maxJobSize);
            ch = new EmbeddedChannel(decoder);
        }

        Harness feed(byte[] bytes, int from, int to) {
            ByteBuf b = direct ? Unpooled.directBuffer(to - from) : Unpooled.buffer(to - from);
            direct = !direct; // alternate heap and direct reads
            b.writeBytes(bytes, from, to - from);
            fed.add(b);
            ch.writeInbound(b);
            return this;
        }

        Harness feed(byte[] bytes) {
            return feed(bytes, 0, bytes.length);
        }

        Harness feed(String s) {
            return feed(s.getBytes(StandardCharsets.ISO_8859_1));
        }

        List<String> read() {
            List<String> out = new ArrayList<>();
            Object m;
            while ((m = ch.readInbound()) != null) {
                out.add(render((Command) m));
            }
            return out;
        }

        /** Bytes the decoder's cumulation still holds. */
        int buffered() {
            try {
                Method m = ByteToMessageDecoder.class.getDeclaredMethod("internalBuffer");
                m.setAccessible(true);
                return ((ByteBuf) m.invoke(decoder)).readableBytes();
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
        }

        /** Ends the test: nothing unread, nothing pending, every input released. */
        void finish() {
            assertEquals(List.of(), read(), "unread commands");
            assertFalse(ch.finish());
            assertEquals(List.of(), read(), "commands decoded at close");
            for (ByteBuf b : fed) {
                assertEquals(0, b.refCnt(), "input buffer not released");
            }
        }
    }

    static String render(Command c) {
        if (c instanceof Command.Put p) {
            return "Put[pri=" + p.pri() + ", delay=" + p.delaySeconds() + ", ttr=" + p.ttrSeconds() + "] "
                    + escape(p.body());
        }
        return c.toString();
    }

    static String escape(byte[] body) {
        StringBuilder b = new StringBuilder("\"");
        for (byte x : body) {
            int v = x & 0xFF;
            if (v >= 0x20 && v < 0x7f && v != '\\') {
                b.append((char) v);
            } else {
                b.append(String.format("\\x%02x", v));
            }
        }
        return b.append('"').toString();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    // ------------------------------------------------------------------ the transcript

    private static final int TRANSCRIPT_MAX_JOB = 64;
    private static final byte[] INPUT;
    private static final List<String> EXPECTED;

    static {
        ByteArrayOutputStream in = new ByteArrayOutputStream();
        List<String> ex = new ArrayList<>();
        class T {
            void add(byte[] bytes, String... expected) {
                in.writeBytes(bytes);
                ex.addAll(List.of(expected));
            }

            void add(String bytes, String... expected) {
                add(ascii(bytes), expected);
            }
        }
        T t = new T();
        t.add("put 1 0 60 5\r\nhello\r\n", "Put[pri=1, delay=0, ttr=60] \"hello\"");
        // binary body: CR, LF, NUL, 0xFF, and a CRLF as its last two bytes
        byte[] bin = {'\r', '\n', 0, '\r', 0, '\n', (byte) 0xFF, '\r', '\n'};
        t.add("put 4294967295 10 1 9\r\n");
        t.add(bin);
        t.add("\r\n", "Put[pri=4294967295, delay=10, ttr=1] \"\\x0d\\x0a\\x00\\x0d\\x00\\x0a\\xff\\x0d\\x0a\"");
        // a body that looks like commands is data
        t.add("put 0 0 1 10\r\ndelete 1\r\n\r\n", "Put[pri=0, delay=0, ttr=1] \"delete 1\\x0d\\x0a\"");
        t.add("put 0 0 0 0\r\n\r\n", "Put[pri=0, delay=0, ttr=0] \"\"");
        // a body of exactly the maximum size, all CRLFs
        t.add("put 5 0 1 64\r\n" + "\r\n".repeat(32) + "\r\n",
                "Put[pri=5, delay=0, ttr=1] \"" + "\\x0d\\x0a".repeat(32) + "\"");
        t.add("use foo\r\n", "Use[tube=foo]");
        t.add("reserve\r\n", "Reserve[timeoutSeconds=-1, withTimeout=false]");
        t.add("reserve-with-timeout 5 junk\r\n", "Reserve[timeoutSeconds=5, withTimeout=true]");
        t.add("delete 1\r\n", "Delete[id=1]");
        t.add("stats\r\n", "Stats[]");
        // too long: dropped up to its CRLF, then BAD_FORMAT
        t.add("x".repeat(300) + "\r\n", BAD);
        // too big (max 64): exactly bytes+2 are swallowed, even if they hold command lines
        t.add("put 0 0 1 65\r\n" + "stats\r\n".repeat(9) + "ab" + "\r\n", TOO_BIG);
        // too big is judged before trailing garbage
        t.add("put 0 0 1 100 junk\r\n" + "y".repeat(100) + "\r\n", TOO_BIG);
        // bodies that do not end in CRLF: EXPECTED_CRLF after exactly bytes+2
        t.add("put 0 0 1 3\r\nabcXY", BAD_BODY);
        t.add("put 0 0 1 2\r\nab\n\r", BAD_BODY);
        t.add("put 0 0 1 1\r\nzzz\r\n", BAD_BODY, UNKNOWN); // "zz" is not CRLF; the "\r\n" left is an empty line
        // a malformed header does not consume the body: its bytes are commands
        t.add("put 0 0 1 zz\r\nuse bar\r\n", BAD, "Use[tube=bar]");
        t.add("put 0 0 60 5 x\r\nhello\r\n", BAD_PUT, UNKNOWN);
        t.add("stats\0\r\n", BAD);
        t.add("list-tube-used\n\r\n", BAD); // a lone LF is part of the line
        t.add("\nlist-tube-used\r\n", UNKNOWN);
        t.add("\r\n", UNKNOWN);
        t.add("ab\rcd\r\n", UNKNOWN); // a lone CR is part of the line (Sluice: PROTOCOL.md §7)
        t.add("peek " + "0".repeat(216) + "1\r\n", "Peek[id=1]"); // 224 bytes with CRLF
        t.add("peek " + "0".repeat(217) + "1\r\n", BAD); // 225: its CR is byte 224
        t.add("y".repeat(250) + "\n" + "z".repeat(10) + "\r\n", BAD);
        t.add("\r".repeat(300) + "\r\n", BAD);
        t.add("stats-tube foo\r\n", "StatsTube[tube=foo]");
        t.add("pause-tube foo 10\r\n", "PauseTube[tube=foo, delaySeconds=10]");
        t.add("list-tubes-watched\r\n", "ListTubesWatched[]");
        t.add("quit\r\n", "Quit[]");
        t.add("put 0 0 1 1\r\nz\r\nstats\r\n" + "w".repeat(500) + "\r\n"); // all ignored after quit
        INPUT = in.toByteArray();
        EXPECTED = List.copyOf(ex);
    }

    private static List<String> decodeTranscript(int[] cuts) {
        Harness h = new Harness(TRANSCRIPT_MAX_JOB);
        int from = 0;
        for (int cut : cuts) {
            h.feed(INPUT, from, cut);
            from = cut;
        }
        h.feed(INPUT, from, INPUT.length);
        List<String> out = h.read();
        h.finish();
        return out;
    }

    @Test
    void transcriptWhole() {
        assertEquals(EXPECTED, decodeTranscript(new int[0]));
    }

    @Test
    void transcriptSplitInTwoAtEveryPosition() {
        for (int i = 0; i <= INPUT.length; i++) {
            assertEquals(EXPECTED, decodeTranscript(new int[] {i}), "split at " + i);
        }
    }

    @Test
    void transcriptOneByteAtATime() {
        int[] cuts = new int[INPUT.length - 1];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = i + 1;
        }
        assertEquals(EXPECTED, decodeTranscript(cuts));
    }

    @Test
    void transcriptRandomSplits() {
        Random rnd = new Random(0x5111CEL);
        for (int round = 0; round < 500; round++) {
            int n = 1 + rnd.nextInt(round % 2 == 0 ? 8 : 200);
            int[] cuts = rnd.ints(n, 1, INPUT.length).sorted().distinct().toArray();
            assertEquals(EXPECTED, decodeTranscript(cuts), "cuts " + Arrays.toString(cuts));
        }
    }

    // ------------------------------------------------------------------ line length

    @Test
    void lineOf224BytesIsAcceptedAnd225IsBadFormatThenResynchronised() {
        String ok = "peek " + "0".repeat(216) + "1\r\n";
        String tooLong = "peek " + "0".repeat(217) + "1\r\n";
        assertEquals(224, ok.length());
        assertEquals(225, tooLong.length());
        Harness h = new Harness(65535);
        h.feed(ok);
        assertEquals(List.of("Peek[id=1]"), h.read());
        h.feed(tooLong + "delete 2\r\n");
        assertEquals(List.of(BAD, "Delete[id=2]"), h.read());
        // 222 bytes of content + CRLF, and 223 + CRLF
        h.feed("z".repeat(222) + "\r\n" + "z".repeat(223) + "\r\nlist-tube-used\r\n");
        assertEquals(List.of(UNKNOWN, BAD, "ListTubeUsed[]"), h.read());
        h.finish();
    }

    @Test
    void crAtByte224WithLfInTheNextRead() {
        Harness h = new Harness(65535);
        h.feed("peek " + "0".repeat(217) + "1\r"); // 224 bytes, the last one CR: too long already
        assertEquals(List.of(), h.read());
        h.feed("\nlist-tube-used\r\n");
        assertEquals(List.of(BAD, "ListTubeUsed[]"), h.read()); // Sluice: the straddling CRLF is found
        // CR as byte 223 and LF as byte 224 in the next read: a line of exactly 224 bytes
        h.feed("peek " + "0".repeat(216) + "1\r");
        assertEquals(List.of(), h.read());
        h.feed("\n");
        assertEquals(List.of("Peek[id=1]"), h.read());
        // a straddling CR that is not followed by LF does not end the discarded line
        h.feed("q".repeat(223) + "\r");
        h.feed("x\r\nstats\r\n");
        assertEquals(List.of(BAD, "Stats[]"), h.read());
        h.finish();
    }

    @Test
    void hugeLineIsDroppedAsItArrivesAndNotRetained() {
        Harness h = new Harness(65535);
        byte[] chunk = new byte[64 * 1024];
        Arrays.fill(chunk, (byte) 'q');
        chunk[100] = '\n'; // lone LFs and CRs inside do not end it
        chunk[200] = '\r';
        for (int i = 0; i < 160; i++) { // 10 MB without CRLF
            h.feed(chunk);
            assertTrue(h.buffered() < ProtocolLimits.MAX_LINE, "cumulation holds " + h.buffered());
            assertEquals(0, h.fed.get(h.fed.size() - 1).refCnt(), "chunk " + i + " retained");
            assertEquals(List.of(), h.read());
        }
        h.feed("\r\nstats\r\n");
        assertEquals(List.of(BAD, "Stats[]"), h.read());
        assertEquals(0, h.buffered());
        h.finish();
    }

    @Test
    void oneMegabyteLineInOneReadIsOneBadFormat() {
        Harness h = new Harness(65535);
        h.feed("m".repeat(1 << 20) + "\r\nlist-tubes\r\n" + "n".repeat(1 << 20) + "\r\nlist-tubes");
        assertEquals(List.of(BAD, "ListTubes[]", BAD), h.read());
        assertEquals("list-tubes".length(), h.buffered());
        h.feed("\r\n");
        assertEquals(List.of("ListTubes[]"), h.read());
        h.finish();
    }

    @Test
    void aPartialLineIsBufferedUpTo223Bytes() {
        Harness h = new Harness(65535);
        for (int i = 0; i < 223; i++) {
            h.feed("a");
            assertEquals(i + 1, h.buffered());
        }
        h.feed("b"); // the 224th byte without CRLF
        assertTrue(h.buffered() < ProtocolLimits.MAX_LINE);
        h.feed("\r\nstats\r\n");
        assertEquals(List.of(BAD, "Stats[]"), h.read());
        h.finish();
    }

    // ------------------------------------------------------------------ line ends, close, quit

    @Test
    void loneLfIsNotATerminator() {
        Harness h = new Harness(65535);
        h.feed("stats\n");
        h.feed("list-tubes\n");
        assertEquals(List.of(), h.read());
        h.feed("\r\n"); // the line is "stats\nlist-tubes\n"
        assertEquals(List.of(BAD), h.read());
        h.feed("list-tube-used\n");
        assertEquals(List.of(), h.read());
        h.feed("\r\n");
        assertEquals(List.of(BAD), h.read());
        h.feed("\n\nstats\r\n");
        assertEquals(List.of(UNKNOWN), h.read());
        h.feed("stats\n\r\r\n");
        assertEquals(List.of(BAD), h.read());
        h.finish();
    }

    @Test
    void anUnterminatedLineThenCloseDecodesNothing() {
        Harness h = new Harness(65535);
        h.feed("stats\r\nlist-tubes");
        assertEquals(List.of("Stats[]"), h.read());
        h.feed("\r");
        assertEquals(List.of(), h.read());
        assertNull(h.decoder.abandonInput(), "no put was in progress");
        h.finish();
    }

    @Test
    void anUnterminatedLineThenCloseWithoutAbandon() {
        Harness h = new Harness(65535);
        h.feed("delete 5");
        h.finish(); // the close decodes the remainder: still no line
    }

    @Test
    void closeInTheMiddleOfAPutBodyIsReportedOnce() {
        Harness h = new Harness(65535);
        h.feed("put 0 0 60 10\r\nhello");
        assertEquals(List.of(), h.read());
        assertEquals(new Command.PutAbandoned(), h.decoder.abandonInput());
        assertNull(h.decoder.abandonInput());
        h.feed("world\r\nstats\r\n"); // input after the end is ignored
        h.finish();
    }

    @Test
    void closeBetweenHeaderAndBodyIsAPutInProgress() {
        Harness h = new Harness(65535);
        h.feed("put 0 0 60 0\r\n"); // even an empty body still needs its CRLF
        assertEquals(new Command.PutAbandoned(), h.decoder.abandonInput());
        h.finish();
    }

    @Test
    void afterQuitEverythingIsIgnored() {
        Harness h = new Harness(65535);
        h.feed("use a\r\nquit\r\nuse b\r\n");
        assertEquals(List.of("Use[tube=a]", "Quit[]"), h.read());
        h.feed("stats\r\n");
        h.feed("put 0 0 1 1\r\n");
        h.feed("x".repeat(100_000) + "\r\n");
        assertEquals(List.of(), h.read());
        assertEquals(0, h.buffered());
        assertNull(h.decoder.abandonInput());
        h.finish();
    }

    @Test
    void quitWithGarbageAfterItStillQuits() {
        Harness h = new Harness(65535);
        h.feed("quitXYZ\r\nstats\r\n");
        assertEquals(List.of("Quit[]"), h.read());
        h.finish();
    }

    @Test
    void quitWithNulDoesNotQuit() {
        Harness h = new Harness(65535);
        h.feed("quit\0\r\nlist-tube-used\r\n");
        assertEquals(List.of(BAD, "ListTubeUsed[]"), h.read());
        h.finish();
    }

    // ------------------------------------------------------------------ bodies and the size limit

    @Test
    void bodyOfTheDefaultMaximumIsAccepted() {
        Harness h = new Harness(ProtocolLimits.DEFAULT_MAX_JOB_SIZE);
        byte[] body = new byte[65535];
        new Random(7).nextBytes(body);
        h.feed("put 3 2 1 65535\r\n");
        h.feed(body, 0, 30000);
        h.feed(body, 30000, body.length);
        assertEquals(List.of(), h.read());
        h.feed("\r\nstats\r\n");
        Command.Put put = (Command.Put) h.ch.readInbound();
        assertEquals(List.of(3L, 2L, 1L), List.of(put.pri(), put.delaySeconds(), put.ttrSeconds()));
        assertArrayEquals(body, put.body());
        assertEquals(List.of("Stats[]"), h.read());
        h.finish();
    }

    @Test
    void bodyOneOverTheMaximumSwallowsExactlyBytesPlusTwo() {
        Harness h = new Harness(ProtocolLimits.DEFAULT_MAX_JOB_SIZE);
        // the swallowed bytes are command lines: any shortfall would decode some of them
        byte[] swallowed = ascii("stats\r\n".repeat(65538 / 7 + 1).substring(0, 65538));
        h.feed("put 0 0 60 65536\r\n");
        h.feed(swallowed, 0, 65537);
        assertEquals(List.of(), h.read());
        h.feed(swallowed, 65537, 65538); // the last one
        assertEquals(List.of(TOO_BIG), h.read());
        h.feed("list-tubes\r\n");
        assertEquals(List.of("ListTubes[]"), h.read());
        // and all at once, followed directly by a command
        h.feed("put 0 0 60 65536 trailing\r\n" + new String(swallowed, StandardCharsets.ISO_8859_1) + "stats\r\n");
        assertEquals(List.of(TOO_BIG, "Stats[]"), h.read());
        h.finish();
    }

    @Test
    void tooBigWithoutItsBodySwallowsTheNextBytes() {
        // recorded against beanstalkd 1.12 (put_job_too_big_no_body): 13 bytes of "list-tube-used\r\n" go
        Harness h = new Harness(10);
        h.feed("put 0 0 60 11\r\n");
        assertEquals(List.of(), h.read());
        h.feed("list-tube-used\r\n");
        assertEquals(List.of(TOO_BIG, UNKNOWN), h.read()); // "d" is left
        h.feed("list-tube-used\r\n");
        assertEquals(List.of("ListTubeUsed[]"), h.read());
        h.finish();
    }

    @Test
    void hugeDeclaredSizeIsSkippedWithoutBuffering() {
        Harness h = new Harness(ProtocolLimits.DEFAULT_MAX_JOB_SIZE);
        h.feed("put 0 0 60 4294967295\r\n");
        byte[] chunk = new byte[1 << 20];
        for (int i = 0; i < 8; i++) {
            h.feed(chunk);
            assertEquals(0, h.buffered());
        }
        assertEquals(List.of(), h.read());
        // beanstalkd counted the put when its header arrived (cmd-put), even though the body never does
        assertEquals(new Command.PutTooBigAbandoned(), h.decoder.abandonInput());
        assertNull(h.decoder.abandonInput());
        h.feed("\r\nstats\r\n");
        h.finish();
    }

    @Test
    void closeAfterATooBigPutWasSkippedAbandonsNothing() {
        Harness h = new Harness(10);
        h.feed("put 0 0 60 11\r\n" + "b".repeat(11) + "\r\nput 0 0 60 1\r\nc\r\n");
        assertEquals(List.of(TOO_BIG, "Put[pri=0, delay=0, ttr=60] \"c\""), h.read());
        assertNull(h.decoder.abandonInput());
        h.finish();
    }

    @Test
    void emptyBodyMustStillEndInCrlf() {
        Harness h = new Harness(65535);
        h.feed("put 0 0 1 0\r\nXY");
        h.feed("put 0 0 1 0\r\n\r\n");
        assertEquals(List.of(BAD_BODY, "Put[pri=0, delay=0, ttr=1] \"\""), h.read());
        h.finish();
    }

    @Test
    void expectedCrlfConsumesExactlyBytesPlusTwo() {
        Harness h = new Harness(65535);
        h.feed("put 0 0 1 3\r\nabcd\r\n"); // "abcd\r" is read, "\n" is the start of the next line
        assertEquals(List.of(BAD_BODY), h.read());
        h.feed("stats\r\n");
        assertEquals(List.of(UNKNOWN), h.read()); // the line was "\nstats"
        h.finish();
    }

    @Test
    void putBodiesAreExactSizedCopies() {
        Harness h = new Harness(65535);
        h.feed("put 0 0 1 4\r\nabcd\r\nput 0 0 1 4\r\nabcd\r\n");
        Command.Put a = (Command.Put) h.ch.readInbound();
        Command.Put b = (Command.Put) h.ch.readInbound();
        assertEquals(4, a.body().length);
        assertArrayEquals(ascii("abcd"), a.body());
        assertArrayEquals(ascii("abcd"), b.body());
        assertFalse(a.body() == b.body(), "each put owns its body");
        h.finish();
    }
}
