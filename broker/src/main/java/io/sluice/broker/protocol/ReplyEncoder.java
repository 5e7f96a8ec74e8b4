package io.sluice.broker.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

/**
 * {@link Reply} to bytes, exactly as beanstalkd prints them.
 *
 * <p>Thread rule: stateless; called on the connection's event loop.
 */
public final class ReplyEncoder {
    private static final byte[] RESERVED = {'R', 'E', 'S', 'E', 'R', 'V', 'E', 'D', ' '};
    private static final byte[] FOUND = {'F', 'O', 'U', 'N', 'D', ' '};
    private static final byte[] OK = {'O', 'K', ' '};
    private static final byte[] USING = {'U', 'S', 'I', 'N', 'G', ' '};
    private static final short CRLF = ('\r' << 8) | '\n';

    private ReplyEncoder() {
    }

    /** The body a reply carries (written after {@link #encodeHead}), or {@code null}. */
    public static byte[] body(Reply reply) {
        if (reply instanceof Reply.JobBody j) {
            return j.body();
        }
        if (reply instanceof Reply.Ok ok) {
            return ok.yaml();
        }
        return null;
    }

    /** Upper bound of the bytes {@link #encodeHead} writes. */
    public static int headSize(Reply reply) {
        if (reply instanceof Reply.Using u) {
            return 8 + u.tube().length();
        }
        return 64;
    }

    /** Writes the reply line (with its CRLF); a reply with a {@link #body} is followed by body + CRLF. */
    public static void encodeHead(Reply reply, ByteBuf out) {
        if (reply instanceof Reply.Word w) {
            out.writeBytes(w.line());
        } else if (reply instanceof Reply.Numbered n) {
            out.writeBytes(n.word().prefix());
            writeUnsigned(out, n.value());
            out.writeShort(CRLF);
        } else if (reply instanceof Reply.JobBody j) {
            out.writeBytes(j.reserved() ? RESERVED : FOUND);
            writeUnsigned(out, j.id());
            out.writeByte(' ');
            writeUnsigned(out, j.body().length);
            out.writeShort(CRLF);
        } else if (reply instanceof Reply.Ok ok) {
            out.writeBytes(OK);
            writeUnsigned(out, ok.yaml().length);
            out.writeShort(CRLF);
        } else if (reply instanceof Reply.Using u) {
            out.writeBytes(USING);
            ByteBufUtil.writeAscii(out, u.tube());
            out.writeShort(CRLF);
        } else {
            throw new IllegalArgumentException("unknown reply " + reply);
        }
    }

    /** Writes the trailing CRLF of a body. */
    public static void encodeBodyEnd(ByteBuf out) {
        out.writeShort(CRLF);
    }

    /** Decimal digits of an unsigned 64-bit value, written in place without allocating. */
    static void writeUnsigned(ByteBuf out, long v) {
        if (v < 0) { // above Long.MAX_VALUE as unsigned: never on a hot path
            ByteBufUtil.writeAscii(out, Long.toUnsignedString(v));
            return;
        }
        int digits = 1;
        for (long x = v / 10; x > 0; x /= 10) {
            digits++;
        }
        out.ensureWritable(digits);
        int start = out.writerIndex();
        long x = v;
        for (int p = start + digits - 1; p >= start; p--) {
            out.setByte(p, (int) ('0' + x % 10));
            x /= 10;
        }
        out.writerIndex(start + digits);
    }
}
