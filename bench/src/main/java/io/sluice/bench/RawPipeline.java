package io.sluice.bench;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * The floor a pipelining client is compared with: a plain {@link Socket} and one thread that keeps up to
 * {@code window} puts unanswered, writing each refill of the window in one {@code write} and taking every reply
 * already read before it writes again (one write and one read per round, no queues, no futures, no other thread).
 *
 * <p>Thread rule: one thread at a time.
 */
final class RawPipeline implements AutoCloseable {
    private static final byte[] INSERTED = "INSERTED ".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private final int window;
    private final int commandSize;
    /** {@code window} copies of the put command, so that a refill of k is one write of its first k. */
    private final byte[] commands;
    private final byte[] buf = new byte[64 * 1024];
    private int pos;
    private int limit;

    RawPipeline(InetSocketAddress broker, int window) throws IOException {
        this.window = window;
        byte[] put = Workload.putCommand();
        this.commandSize = put.length;
        this.commands = new byte[put.length * window];
        for (int i = 0; i < window; i++) {
            System.arraycopy(put, 0, commands, i * put.length, put.length);
        }
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(broker);
        out = socket.getOutputStream();
        in = socket.getInputStream();
    }

    /** Puts {@code n} jobs; returns the last id. Fails on any reply but {@code INSERTED}. */
    long putAll(int n) throws IOException {
        int sent = 0;
        int received = 0;
        long last = 0;
        while (received < n) {
            int k = Math.min(window - (sent - received), n - sent);
            if (k > 0) {
                out.write(commands, 0, k * commandSize);
                sent += k;
            }
            last = readInserted(); // blocks for at least one
            received++;
            while (received < sent && hasLine()) {
                last = readInserted();
                received++;
            }
        }
        return last;
    }

    private boolean hasLine() {
        for (int i = pos; i < limit; i++) {
            if (buf[i] == '\n') {
                return true;
            }
        }
        return false;
    }

    private long readInserted() throws IOException {
        int lf;
        while ((lf = indexOfLf()) < 0) {
            fill();
        }
        int end = lf - 1; // the CR
        for (int i = 0; i < INSERTED.length; i++) {
            if (pos + i >= end || buf[pos + i] != INSERTED[i]) {
                throw new IOException("unexpected reply: " + new String(buf, pos, lf - pos + 1,
                        java.nio.charset.StandardCharsets.US_ASCII).trim());
            }
        }
        long id = 0;
        for (int i = pos + INSERTED.length; i < end; i++) {
            id = id * 10 + (buf[i] - '0');
        }
        pos = lf + 1;
        return id;
    }

    private int indexOfLf() {
        for (int i = pos; i < limit; i++) {
            if (buf[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private void fill() throws IOException {
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, limit - pos);
            limit -= pos;
            pos = 0;
        }
        int r = in.read(buf, limit, buf.length - limit);
        if (r < 0) {
            throw new EOFException("broker closed the connection");
        }
        limit += r;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
