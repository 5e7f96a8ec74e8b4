package io.sluice.broker.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link ReplyEncoder}: every {@link Reply} kind to the exact bytes beanstalkd sends (reference §5, §7, §8). */
class ReplyEncoderTest {

    /** Encodes as the connection does: head, then body and CRLF if the reply has a body. */
    private static String encode(Reply r) {
        return encode(r, Unpooled.buffer(1));
    }

    private static String encode(Reply r, ByteBuf buf) {
        try {
            int before = buf.readableBytes();
            ReplyEncoder.encodeHead(r, buf);
            assertTrue(buf.readableBytes() - before <= ReplyEncoder.headSize(r), "headSize bound for " + r);
            byte[] body = ReplyEncoder.body(r);
            if (body != null) {
                buf.writeBytes(body);
                ReplyEncoder.encodeBodyEnd(buf);
            }
            return buf.toString(StandardCharsets.ISO_8859_1);
        } finally {
            buf.release();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void fixedWords() {
        assertEquals("DELETED\r\n", encode(Reply.DELETED));
        assertEquals("RELEASED\r\n", encode(Reply.RELEASED));
        assertEquals("BURIED\r\n", encode(Reply.BURIED));
        assertEquals("TOUCHED\r\n", encode(Reply.TOUCHED));
        assertEquals("KICKED\r\n", encode(Reply.KICKED));
        assertEquals("PAUSED\r\n", encode(Reply.PAUSED));
        assertEquals("NOT_FOUND\r\n", encode(Reply.NOT_FOUND));
        assertEquals("NOT_IGNORED\r\n", encode(Reply.NOT_IGNORED));
        assertEquals("DEADLINE_SOON\r\n", encode(Reply.DEADLINE_SOON));
        assertEquals("TIMED_OUT\r\n", encode(Reply.TIMED_OUT));
        assertEquals("EXPECTED_CRLF\r\n", encode(Reply.EXPECTED_CRLF));
        assertEquals("JOB_TOO_BIG\r\n", encode(Reply.JOB_TOO_BIG));
        assertEquals("DRAINING\r\n", encode(Reply.DRAINING));
        assertEquals("OUT_OF_MEMORY\r\n", encode(Reply.OUT_OF_MEMORY));
        assertEquals("INTERNAL_ERROR\r\n", encode(Reply.INTERNAL_ERROR));
        assertEquals("BAD_FORMAT\r\n", encode(Reply.BAD_FORMAT));
        assertEquals("UNKNOWN_COMMAND\r\n", encode(Reply.UNKNOWN_COMMAND));
    }

    @Test
    void everyWordConstantIsItsNameAndCrlf() throws IllegalAccessException {
        List<String> names = new ArrayList<>();
        for (Field f : Reply.class.getFields()) {
            if (f.getType() == Reply.Word.class && Modifier.isStatic(f.getModifiers())) {
                Reply.Word w = (Reply.Word) f.get(null);
                assertEquals(f.getName() + "\r\n", encode(w), f.getName());
                assertEquals(f.getName() + "\r\n", new String(w.line(), StandardCharsets.ISO_8859_1));
                assertEquals(f.getName(), w.toString());
                assertNull(ReplyEncoder.body(w));
                names.add(f.getName());
            }
        }
        assertEquals(22, names.size(), names.toString()); // beanstalkd's 17 and the extensions' 5
    }

    @Test
    void numberedReplies() {
        assertEquals("INSERTED 1\r\n", encode(new Reply.Numbered(Reply.NumberedWord.INSERTED, 1)));
        assertEquals("INSERTED 0\r\n", encode(new Reply.Numbered(Reply.NumberedWord.INSERTED, 0)));
        assertEquals("INSERTED 9223372036854775807\r\n",
                encode(new Reply.Numbered(Reply.NumberedWord.INSERTED, Long.MAX_VALUE)));
        assertEquals("INSERTED 9223372036854775808\r\n",
                encode(new Reply.Numbered(Reply.NumberedWord.INSERTED, Long.MIN_VALUE)));
        assertEquals("INSERTED 18446744073709551615\r\n",
                encode(new Reply.Numbered(Reply.NumberedWord.INSERTED, -1L)));
        assertEquals("BURIED 7\r\n", encode(new Reply.Numbered(Reply.NumberedWord.BURIED, 7)));
        assertEquals("WATCHING 1\r\n", encode(new Reply.Numbered(Reply.NumberedWord.WATCHING, 1)));
        assertEquals("WATCHING 12\r\n", encode(new Reply.Numbered(Reply.NumberedWord.WATCHING, 12)));
        assertEquals("KICKED 0\r\n", encode(new Reply.Numbered(Reply.NumberedWord.KICKED, 0)));
        assertEquals("KICKED 4294967295\r\n", encode(new Reply.Numbered(Reply.NumberedWord.KICKED, 4294967295L)));
        for (Reply.NumberedWord w : Reply.NumberedWord.values()) {
            assertNull(ReplyEncoder.body(new Reply.Numbered(w, 1)));
        }
    }

    @Test
    void numbersAtEveryDigitCount() {
        long p = 1;
        for (int digits = 1; digits <= 19; digits++) {
            for (long v : new long[] {p, p + 1, p * 10 - 1}) { // 10..0, 10..1, 99..9 with this many digits
                assertEquals("INSERTED " + Long.toUnsignedString(v) + "\r\n",
                        encode(new Reply.Numbered(Reply.NumberedWord.INSERTED, v)));
            }
            p *= 10;
        }
        assertEquals("INSERTED 10000000000000000000\r\n",
                encode(new Reply.Numbered(Reply.NumberedWord.INSERTED, Long.parseUnsignedLong("10000000000000000000"))));
    }

    @Test
    void numbersAreWrittenAtTheWriterIndexOfAPartlyFilledBuffer() {
        ByteBuf buf = Unpooled.buffer(4, 1 << 16);
        buf.writeBytes(bytes("xyz"));
        buf.readerIndex(1);
        assertEquals("yzINSERTED 1234567890123\r\n",
                encode(new Reply.Numbered(Reply.NumberedWord.INSERTED, 1234567890123L), buf));
        ByteBuf many = Unpooled.buffer(8);
        try {
            ReplyEncoder.encodeHead(Reply.DELETED, many);
            ReplyEncoder.encodeHead(new Reply.Numbered(Reply.NumberedWord.KICKED, 42), many);
            ReplyEncoder.encodeHead(new Reply.Using("t"), many);
            ReplyEncoder.encodeHead(new Reply.Numbered(Reply.NumberedWord.WATCHING, 3), many);
            assertEquals("DELETED\r\nKICKED 42\r\nUSING t\r\nWATCHING 3\r\n", many.toString(StandardCharsets.ISO_8859_1));
        } finally {
            many.release();
        }
    }

    @Test
    void using() {
        assertEquals("USING default\r\n", encode(new Reply.Using("default")));
        assertEquals("USING AZaz09-+/;.$_()\r\n", encode(new Reply.Using("AZaz09-+/;.$_()")));
        String n200 = "n".repeat(200);
        assertEquals("USING " + n200 + "\r\n", encode(new Reply.Using(n200)));
        assertEquals(8 + 200, ReplyEncoder.headSize(new Reply.Using(n200)));
        assertNull(ReplyEncoder.body(new Reply.Using("x")));
    }

    @Test
    void reservedAndFoundWithBody() {
        byte[] body = {'h', '\r', '\n', 0, (byte) 0xFF};
        Reply.JobBody reserved = new Reply.JobBody(true, 5, body);
        assertEquals("RESERVED 5 5\r\nh\r\n\0\u00ff\r\n", encode(reserved));
        assertSame(body, ReplyEncoder.body(reserved), "bodies are shared, not copied");
        assertEquals("FOUND 5 5\r\nh\r\n\0\u00ff\r\n", encode(new Reply.JobBody(false, 5, body)));
        assertEquals("RESERVED 1 0\r\n\r\n", encode(new Reply.JobBody(true, 1, new byte[0])));
        assertEquals("FOUND 18446744073709551615 1\r\nz\r\n", encode(new Reply.JobBody(false, -1L, bytes("z"))));
        byte[] big = new byte[65535];
        String head = "RESERVED 9223372036854775807 65535\r\n";
        String all = encode(new Reply.JobBody(true, Long.MAX_VALUE, big));
        assertEquals(head, all.substring(0, head.length()));
        assertEquals(head.length() + 65535 + 2, all.length());
        assertTrue(all.endsWith("\0\r\n"));
        assertEquals("RESERVED 5 5", reserved.toString());
        assertEquals("FOUND 18446744073709551615 0", new Reply.JobBody(false, -1L, new byte[0]).toString());
    }

    @Test
    void okWithYaml() {
        byte[] yaml = bytes("---\n- default\n");
        Reply.Ok ok = new Reply.Ok(yaml);
        assertEquals("OK 14\r\n---\n- default\n\r\n", encode(ok));
        assertSame(yaml, ReplyEncoder.body(ok));
        byte[] stats = bytes("---\nid: 3\ntube: \"my-tube\"\nstate: reserved\npri: 666\nage: 449\ndelay: 0\n"
                + "ttr: 10000\ntime-left: 9999\nfile: 0\nreserves: 7\ntimeouts: 0\nreleases: 0\nburies: 0\nkicks: 0\n");
        assertEquals(159, stats.length); // the reference's example (§7.3)
        assertEquals("OK 159\r\n" + new String(stats, StandardCharsets.ISO_8859_1) + "\r\n", encode(new Reply.Ok(stats)));
        assertEquals("OK 0\r\n\r\n", encode(new Reply.Ok(new byte[0])));
        assertEquals("OK 14", ok.toString());
    }

    @Test
    void encodeBodyEndIsCrlf() {
        ByteBuf buf = Unpooled.buffer(0);
        try {
            ReplyEncoder.encodeBodyEnd(buf);
            assertEquals("\r\n", buf.toString(StandardCharsets.ISO_8859_1));
        } finally {
            buf.release();
        }
    }
}
