package io.sluice.client;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * Reads replies off a socket stream: a line ending in CRLF, then for {@code RESERVED <id> <n>}, {@code FOUND <id> <n>}
 * and {@code OK <n>} a data block of {@code n} bytes and CRLF. No regex. Resumable: a
 * {@link SocketTimeoutException} leaves a partly read reply in place, and the next {@link #read()} continues it.
 *
 * <p>Thread rule: one reading thread at a time.
 */
final class ReplyReader {
    /** Longest reply line accepted: {@code USING} and a 200-byte tube name fit many times over. */
    static final int MAX_LINE = 1024;
    /** Largest data block accepted (beanstalkd's cap on {@code max-job-size}). */
    static final int MAX_BODY = 1 << 30;

    private final InputStream in;
    private final byte[] buf = new byte[16 * 1024];
    private int pos;
    private int lim;
    private int scanned;

    private String line;
    private byte[] block;
    private int blockFilled;

    ReplyReader(InputStream in) {
        this.in = in;
    }

    /** Reads one whole reply, blocking. EOF and framing errors are {@link IOException}s: the stream is unusable. */
    Reply read() throws IOException {
        if (line == null) {
            line = readLine();
            int size = blockSize(line);
            if (size >= 0) {
                block = new byte[size + 2];
                blockFilled = 0;
            }
        }
        if (block != null) {
            while (blockFilled < block.length) {
                if (pos == lim) {
                    fill();
                }
                int n = Math.min(lim - pos, block.length - blockFilled);
                System.arraycopy(buf, pos, block, blockFilled, n);
                pos += n;
                blockFilled += n;
            }
            if (block[block.length - 2] != '\r' || block[block.length - 1] != '\n') {
                throw new ProtocolViolation("data block not followed by CRLF after: " + line);
            }
        }
        String l = line;
        byte[] body = null;
        if (block != null) {
            body = new byte[block.length - 2];
            System.arraycopy(block, 0, body, 0, body.length);
        }
        line = null;
        block = null;
        return new Reply(l, body);
    }

    /** Bytes received and not yet consumed. */
    boolean hasBuffered() {
        return pos < lim || line != null;
    }

    /**
     * Whether the broker has closed the stream, waiting at most what the socket's timeout allows; a byte that
     * arrives meanwhile is kept for {@link #read()}. Returns true on EOF.
     */
    boolean eofWithin() throws IOException {
        if (pos < lim) {
            return false;
        }
        try {
            compact();
            int n = in.read(buf, lim, buf.length - lim);
            if (n < 0) {
                return true;
            }
            lim += n;
            return false;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    private String readLine() throws IOException {
        while (true) {
            for (int i = Math.max(pos + scanned, pos + 1); i < lim; i++) {
                if (buf[i] == '\n' && buf[i - 1] == '\r') {
                    String s = new String(buf, pos, i - 1 - pos, StandardCharsets.ISO_8859_1);
                    pos = i + 1;
                    scanned = 0;
                    return s;
                }
            }
            scanned = lim - pos;
            if (scanned >= MAX_LINE) {
                throw new ProtocolViolation("reply line longer than " + MAX_LINE + " bytes");
            }
            fill();
        }
    }

    private void fill() throws IOException {
        compact();
        int n = in.read(buf, lim, buf.length - lim);
        if (n < 0) {
            throw new EOFException("the broker closed the connection");
        }
        lim += n;
    }

    private void compact() {
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, lim - pos);
            lim -= pos;
            pos = 0;
        }
    }

    /** The data block size a reply line announces, or -1 when it has none. */
    private static int blockSize(String line) throws ProtocolViolation {
        int field;
        if (line.startsWith("RESERVED ") || line.startsWith("FOUND ")) {
            field = 2;
        } else if (line.startsWith("OK ")) {
            field = 1;
        } else {
            return -1;
        }
        Reply r = new Reply(line, null);
        long n;
        try {
            if (r.tokenCount() != field + 1) {
                throw new ProtocolViolation("malformed reply: " + line);
            }
            n = r.number(field);
        } catch (UnexpectedReplyException e) {
            throw new ProtocolViolation("malformed reply: " + line);
        }
        if (n > MAX_BODY) {
            throw new ProtocolViolation("data block too large: " + line);
        }
        return (int) n;
    }

    /** The byte stream does not follow the protocol: the connection cannot be kept. */
    static final class ProtocolViolation extends IOException {
        private static final long serialVersionUID = 1L;

        ProtocolViolation(String message) {
            super(message);
        }
    }
}
