package io.sluice.client;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * Outgoing bytes, encoded straight into one reused array (numbers as digits, no Strings). Two kinds:
 * <ul>
 *   <li>{@link #toStream}: a connection's buffer; {@link #flush} hands everything buffered to the socket in one
 *       write, and a chunk larger than the array goes to the socket directly instead of through it;</li>
 *   <li>{@link #growing}: no stream, the array grows to hold everything written until {@link #reset} (the async
 *       client's staging area, where submitters encode their commands for the writer thread).</li>
 * </ul>
 * Unsynchronized, unlike {@code BufferedOutputStream}.
 *
 * <p>Thread rule: one thread at a time (callers lock around a shared one).
 */
final class Output {
    /** The longest unsigned 64-bit decimal. */
    private static final int MAX_DIGITS = 20;

    private final OutputStream out;
    private byte[] buf;
    private int pos;

    private Output(OutputStream out, int size) {
        this.out = out;
        this.buf = new byte[size];
    }

    static Output toStream(OutputStream out, int size) {
        return new Output(out, size);
    }

    static Output growing(int initialSize) {
        return new Output(null, initialSize);
    }

    void write(byte[] b) throws IOException {
        write(b, 0, b.length);
    }

    void write(byte[] b, int off, int len) throws IOException {
        if (len > buf.length - pos) {
            if (out == null) {
                grow(len);
            } else {
                flush();
                if (len >= buf.length) {
                    out.write(b, off, len);
                    return;
                }
            }
        }
        System.arraycopy(b, off, buf, pos, len);
        pos += len;
    }

    void writeByte(int b) throws IOException {
        if (pos == buf.length) {
            room(1);
        }
        buf[pos++] = (byte) b;
    }

    /** An ASCII string (callers check that it is). */
    void writeAscii(String s) throws IOException {
        for (int i = 0; i < s.length(); i++) {
            writeByte(s.charAt(i));
        }
    }

    /** {@code v} as an unsigned decimal, written back to front in place. */
    void writeUnsigned(long v) throws IOException {
        if (v < 0) {
            writeAscii(Long.toUnsignedString(v)); // 2^63 and above: never a u32, rarely an id
            return;
        }
        if (buf.length - pos < MAX_DIGITS) {
            room(MAX_DIGITS);
        }
        int digits = 1;
        for (long t = v / 10; t != 0; t /= 10) {
            digits++;
        }
        int i = pos + digits;
        pos = i;
        do {
            buf[--i] = (byte) ('0' + v % 10);
            v /= 10;
        } while (v != 0);
    }

    void writeCrlf() throws IOException {
        if (buf.length - pos < 2) {
            room(2);
        }
        buf[pos++] = '\r';
        buf[pos++] = '\n';
    }

    /** Writes out whatever is buffered, in one write. */
    void flush() throws IOException {
        if (pos > 0) {
            int n = pos;
            pos = 0; // a failed write leaves the connection unusable: these bytes are never sent twice
            out.write(buf, 0, n);
        }
    }

    /** Bytes written since the last {@link #reset} ({@link #growing} only). */
    int size() {
        return pos;
    }

    /** The array holding the bytes written ({@link #growing} only); valid until the next write. */
    byte[] array() {
        return buf;
    }

    /** Forgets what was written; an array grown past {@code keepAtMost} bytes is let go for one of that size. */
    void reset(int keepAtMost) {
        pos = 0;
        if (buf.length > keepAtMost) {
            buf = new byte[keepAtMost];
        }
    }

    /** Appends {@code request} to a {@link #growing} output, which cannot fail. */
    void append(Request<?> request) {
        try {
            request.writeTo(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // only a stream write throws, and there is none
        }
    }

    private void room(int n) throws IOException {
        if (out == null) {
            grow(n);
        } else {
            flush();
        }
    }

    private void grow(int n) {
        long want = Math.max((long) pos + n, 2L * buf.length);
        if ((long) pos + n > Integer.MAX_VALUE - 8) {
            throw new OutOfMemoryError("command bytes beyond 2 GiB");
        }
        buf = java.util.Arrays.copyOf(buf, (int) Math.min(want, Integer.MAX_VALUE - 8));
    }
}
