package io.sluice.broker.protocol;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The decoder must produce the same commands however the bytes are split across reads: whole, split in two at
 * every position, one byte at a time, and at random (nats-server's split_test, Netty's byte-at-a-time decoder
 * tests).
 */
class CommandDecoderSplitTest {
    private static final String TRANSCRIPT = "put 1 0 60 5\r\nhello\r\n"
            + "put 0 0 1 6\r\n\r\n\0\r\n\0\r\n"            // a body with CRLF and NUL inside
            + "put 0 0 1 0\r\n\r\n"                          // empty body
            + "use foo\r\nreserve\r\ndelete 1\r\n"
            + "x".repeat(300) + "\r\n"                       // too long: BAD_FORMAT after resync
            + "put 0 0 1 20\r\n" + "y".repeat(20) + "\r\n"    // too big for max 10: JOB_TOO_BIG, body skipped
            + "put 0 0 1 3\r\nabcXY"                         // EXPECTED_CRLF
            + "put 0 0 1 zz\r\nstats\r\n"                    // bad header: body bytes become commands
            + "reserve-with-timeout 5\r\nlist-tubes-watched\r\n"
            + "ab\rcd\r\n"                                   // a bare CR is part of the line
            + "quit\r\nput 0 0 1 1\r\nz\r\n";                // ignored after quit

    private static final List<String> EXPECTED = List.of(
            "Put[pri=1, delay=0, ttr=60, bytes=5] hello",
            "Put[pri=0, delay=0, ttr=1, bytes=6] \r\n\0\r\n\0",
            "Put[pri=0, delay=0, ttr=1, bytes=0] ",
            "Use[tube=foo]", "Reserve[timeoutSeconds=-1, withTimeout=false]", "Delete[id=1]",
            "Invalid[reply=BAD_FORMAT, countedAs=NONE]",
            "Invalid[reply=JOB_TOO_BIG, countedAs=PUT]",
            "PutBadBody[]",
            "Invalid[reply=BAD_FORMAT, countedAs=NONE]", "Stats[]",
            "Reserve[timeoutSeconds=5, withTimeout=true]", "ListTubesWatched[]",
            "Invalid[reply=UNKNOWN_COMMAND, countedAs=NONE]",
            "Quit[]");

    private static List<String> decode(byte[] input, int[] cuts) {
        EmbeddedChannel ch = new EmbeddedChannel(new CommandDecoder(10));
        int from = 0;
        for (int cut : cuts) {
            ch.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(input, from, cut)));
            from = cut;
        }
        ch.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(input, from, input.length)));
        List<String> out = new ArrayList<>();
        Object m;
        while ((m = ch.readInbound()) != null) {
            out.add(render((Command) m));
        }
        assertFalse(ch.finish());
        return out;
    }

    private static String render(Command c) {
        if (c instanceof Command.Put p) {
            return p + " " + new String(p.body(), StandardCharsets.ISO_8859_1);
        }
        return c.toString();
    }

    private static final byte[] INPUT = TRANSCRIPT.getBytes(StandardCharsets.ISO_8859_1);

    @Test
    void whole() {
        assertEquals(EXPECTED, decode(INPUT, new int[0]));
    }

    @Test
    void splitInTwoAtEveryPosition() {
        for (int i = 1; i < INPUT.length; i++) {
            assertEquals(EXPECTED, decode(INPUT, new int[] {i}), "split at " + i);
        }
    }

    @Test
    void oneByteAtATime() {
        int[] cuts = new int[INPUT.length - 1];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = i + 1;
        }
        assertEquals(EXPECTED, decode(INPUT, cuts));
    }

    @Test
    void randomSplits() {
        Random rnd = new Random(1234);
        for (int round = 0; round < 300; round++) {
            int n = 1 + rnd.nextInt(20);
            int[] cuts = rnd.ints(n, 1, INPUT.length).sorted().distinct().toArray();
            assertEquals(EXPECTED, decode(INPUT, cuts), "cuts " + Arrays.toString(cuts));
        }
    }

    @Test
    void hugeLinesAreDroppedAsTheyArriveNotBuffered() {
        EmbeddedChannel ch = new EmbeddedChannel(new CommandDecoder(65535));
        byte[] chunk = new byte[64 * 1024];
        Arrays.fill(chunk, (byte) 'q');
        for (int i = 0; i < 160; i++) { // 10 MB without a line end
            ch.writeInbound(Unpooled.wrappedBuffer(chunk));
        }
        ch.writeInbound(Unpooled.copiedBuffer("\r\nstats\r\n", StandardCharsets.US_ASCII));
        assertEquals("Invalid[reply=BAD_FORMAT, countedAs=NONE]", ch.readInbound().toString());
        assertEquals("Stats[]", ch.readInbound().toString());
        assertFalse(ch.finish());
    }

    @Test
    void lineLimitIs224BytesIncludingCrlf() {
        String ok = "peek " + "0".repeat(216) + "1\r\n"; // 224 bytes
        String tooLong = "peek " + "0".repeat(217) + "1\r\n"; // 225 bytes
        assertEquals(224, ok.length());
        EmbeddedChannel ch = new EmbeddedChannel(new CommandDecoder(65535));
        ch.writeInbound(Unpooled.copiedBuffer(ok + tooLong + "stats\r\n", StandardCharsets.US_ASCII));
        assertEquals("Peek[id=1]", ch.readInbound().toString());
        assertEquals("Invalid[reply=BAD_FORMAT, countedAs=NONE]", ch.readInbound().toString());
        assertEquals("Stats[]", ch.readInbound().toString());
        assertFalse(ch.finish());
    }
}
