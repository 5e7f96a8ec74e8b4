package io.sluice.client;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * Reads replies off a socket stream: a line ending in CRLF, then for {@code RESERVED <id> <n>}, {@code FOUND <id> <n>}
 * and {@code OK <n>} a data block of {@code n} bytes and CRLF. No regex, and no String for the common replies: a
 * known word followed by plain numbers is parsed in the buffer into a {@link Reply#parsed} reply. Resumable: a
 * {@link SocketTimeoutException} leaves a partly read reply in place, and the next {@link #read()} continues it.
 *
 * <p>Thread rule: one reading thread at a time.
 */
final class ReplyReader {
    /** Longest reply line accepted: {@code USING} and a 200-byte tube name fit many times over. */
    static final int MAX_LINE = 1024;
    /** Largest data block accepted (beanstalkd's cap on {@code max-job-size}). */
    static final int MAX_BODY = 1 << 30;
    /** Numbers of up to 18 digits are below 2^63; longer ones take the String path (Long.parseUnsignedLong). */
    private static final int MAX_FAST_DIGITS = 18;

    /** The reply words parsed without a String, the most frequent first; each a constant, so word() is shared. */
    private static final String[] WORDS = {"INSERTED", "RESERVED", "DELETED", "RELEASED", "TOUCHED", "BURIED",
            "FOUND", "OK", "NOT_FOUND", "TIMED_OUT", "DEADLINE_SOON", "KICKED", "WATCHING", "PAUSED", "EXISTS",
            "CANCELLED", "CANCELLING", "CLEARED", "UPDATED", "SCHEDULED", "REMOVED", "JOB_TOO_BIG", "DRAINING",
            "EXPECTED_CRLF", "BAD_FORMAT", "UNKNOWN_COMMAND", "OUT_OF_MEMORY", "INTERNAL_ERROR", "NOT_IGNORED"};
    private static final int RESERVED = 1;
    private static final int FOUND = 6;
    private static final int OK = 7;
    private static final byte[][] WORD_BYTES = new byte[WORDS.length][];

    static {
        for (int i = 0; i < WORDS.length; i++) {
            WORD_BYTES[i] = WORDS[i].getBytes(StandardCharsets.US_ASCII);
        }
    }

    private final InputStream in;
    private final byte[] buf = new byte[16 * 1024];
    private int pos;
    private int lim;
    private int scanned;

    // The reply whose line has been read and whose data block is still coming (inBlock), or being assembled.
    private boolean inBlock;
    private String headLine; // a line reply's line, else null
    private int headWord;    // a parsed reply's word, index into WORDS
    private int headNumbers;
    private long headN1;
    private long headN2;
    private byte[] block;
    private int blockFilled; // bytes of the block read, then + 1 for each of its CR and LF
    private boolean tailOk;

    ReplyReader(InputStream in) {
        this.in = in;
    }

    /** Reads one whole reply, blocking. EOF and framing errors are {@link IOException}s: the stream is unusable. */
    Reply read() throws IOException {
        return next(true);
    }

    /**
     * The next reply if all of it has already been received, else null (what has arrived stays for the next call);
     * never blocks. Lets a reader take every reply of one socket read before acting on them.
     */
    Reply poll() throws IOException {
        return next(false);
    }

    /** Bytes received and not yet consumed. */
    boolean hasBuffered() {
        return pos < lim || inBlock;
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

    private Reply next(boolean mayBlock) throws IOException {
        if (!inBlock) {
            int cr = findLine(mayBlock);
            if (cr < 0) {
                return null;
            }
            int start = pos;
            pos = cr + 2;
            int size = parseLine(start, cr);
            if (size < 0) {
                return take(null);
            }
            block = new byte[size];
            blockFilled = 0;
            tailOk = true;
            inBlock = true;
        }
        byte[] b = block;
        while (blockFilled < b.length) {
            if (pos == lim) {
                if (!mayBlock) {
                    return null;
                }
                int left = b.length - blockFilled;
                if (left >= buf.length) { // a large body: straight into its array, not through buf
                    int n = in.read(b, blockFilled, left);
                    if (n < 0) {
                        throw new EOFException("the broker closed the connection");
                    }
                    blockFilled += n;
                    continue;
                }
                fill();
            }
            int n = Math.min(lim - pos, b.length - blockFilled);
            System.arraycopy(buf, pos, b, blockFilled, n);
            pos += n;
            blockFilled += n;
        }
        while (blockFilled < b.length + 2) {
            if (pos == lim) {
                if (!mayBlock) {
                    return null;
                }
                fill();
            }
            tailOk &= buf[pos++] == (blockFilled == b.length ? '\r' : '\n');
            blockFilled++;
        }
        if (!tailOk) {
            throw new ProtocolViolation("data block not followed by CRLF after: " + head(null).line());
        }
        inBlock = false;
        block = null;
        return take(b);
    }

    /** The index of the CR ending the next line, reading as needed (or -1 if {@code mayBlock} is false). */
    private int findLine(boolean mayBlock) throws IOException {
        while (true) {
            for (int i = Math.max(pos + scanned, pos + 1); i < lim; i++) {
                if (buf[i] == '\n' && buf[i - 1] == '\r') {
                    scanned = 0;
                    return i - 1;
                }
            }
            scanned = lim - pos;
            if (scanned >= MAX_LINE) {
                throw new ProtocolViolation("reply line longer than " + MAX_LINE + " bytes");
            }
            if (!mayBlock) {
                return -1;
            }
            fill();
        }
    }

    /**
     * Reads the line in {@code buf[start, end)} into the head fields; returns the size of the data block it announces,
     * or -1 when it has none.
     */
    private int parseLine(int start, int end) throws ProtocolViolation {
        int sp = start;
        while (sp < end && buf[sp] != ' ') {
            sp++;
        }
        int w = knownWord(start, sp);
        if (w >= 0) {
            int count = 0;
            long n1 = 0;
            long n2 = 0;
            int i = sp;
            while (i < end) { // buf[i] is a space
                int from = i + 1;
                int j = from;
                long v = 0;
                while (j < end && buf[j] >= '0' && buf[j] <= '9') {
                    v = v * 10 + (buf[j] - '0');
                    j++;
                }
                int digits = j - from;
                if (count == 2 || digits == 0 || digits > MAX_FAST_DIGITS || (digits > 1 && buf[from] == '0')
                        || (j < end && buf[j] != ' ')) {
                    count = -1; // anything unusual: the String path below decides, as it always did
                    break;
                }
                if (count++ == 0) {
                    n1 = v;
                } else {
                    n2 = v;
                }
                i = j;
            }
            long size = -1;
            if (w == RESERVED || w == FOUND) {
                size = count == 2 ? n2 : count == 0 ? -1 : Long.MAX_VALUE;
            } else if (w == OK) {
                size = count == 1 ? n1 : count == 0 ? -1 : Long.MAX_VALUE;
            }
            if (count >= 0 && size <= MAX_BODY) {
                headLine = null;
                headWord = w;
                headNumbers = count;
                headN1 = n1;
                headN2 = n2;
                return (int) size;
            }
        }
        String line = new String(buf, start, end - start, StandardCharsets.ISO_8859_1);
        headLine = line;
        return blockSize(line);
    }

    private int knownWord(int start, int end) {
        int len = end - start;
        for (int w = 0; w < WORD_BYTES.length; w++) {
            byte[] b = WORD_BYTES[w];
            if (b.length == len && b[0] == buf[start]) {
                int k = 1;
                while (k < len && b[k] == buf[start + k]) {
                    k++;
                }
                if (k == len) {
                    return w;
                }
            }
        }
        return -1;
    }

    private Reply head(byte[] body) {
        return headLine != null ? new Reply(headLine, body)
                : Reply.parsed(WORDS[headWord], headNumbers, headN1, headN2, body);
    }

    private Reply take(byte[] body) {
        Reply r = head(body);
        headLine = null;
        return r;
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
