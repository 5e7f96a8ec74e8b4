package io.sluice.broker.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A raw protocol connection for tests: send bytes, expect exact bytes (beanstalkd's mustsend/ckresp). Strings are
 * bytes in ISO-8859-1. Test thread only.
 */
final class Wire implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    Wire(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(5000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    Wire send(String s) throws IOException {
        return send(bytes(s));
    }

    Wire send(byte[] b) throws IOException {
        out.write(b);
        out.flush();
        return this;
    }

    /** Reads exactly as many bytes as expected and compares. */
    Wire expect(String expected) throws IOException {
        byte[] got = read(expected.length());
        assertEquals(expected, new String(got, StandardCharsets.ISO_8859_1));
        return this;
    }

    /** send + expect. */
    Wire call(String command, String expected) throws IOException {
        return send(command).expect(expected);
    }

    /** One CRLF-terminated line, without the CRLF. */
    String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int prev = -1;
        for (;;) {
            int c = in.read();
            if (c < 0) {
                fail("connection closed; got so far: " + b);
            }
            if (prev == '\r' && c == '\n') {
                byte[] all = b.toByteArray();
                return new String(all, 0, all.length - 1, StandardCharsets.ISO_8859_1);
            }
            b.write(c);
            prev = c;
        }
    }

    /** The body of an {@code OK <n>} reply, as text. */
    String ok(String command) throws IOException {
        send(command);
        String head = line();
        if (!head.startsWith("OK ")) {
            fail("expected OK for " + command.trim() + ", got " + head);
        }
        int n = Integer.parseInt(head.substring(3));
        byte[] body = read(n + 2);
        return new String(body, 0, n, StandardCharsets.ISO_8859_1);
    }

    /** The value of one key in a stats-style YAML reply. */
    String stat(String command, String key) throws IOException {
        for (String l : ok(command).split("\n")) {
            if (l.startsWith(key + ": ")) {
                return l.substring(key.length() + 2);
            }
        }
        fail("no " + key + " in reply to " + command.trim());
        return null;
    }

    byte[] read(int n) throws IOException {
        byte[] b = new byte[n];
        int off = 0;
        while (off < n) {
            int r = in.read(b, off, n - off);
            if (r < 0) {
                fail("connection closed after " + off + " of " + n + " bytes: "
                        + new String(b, 0, off, StandardCharsets.ISO_8859_1));
            }
            off += r;
        }
        return b;
    }

    /** Asserts nothing arrives within the given time. */
    Wire expectSilence(int millis) throws IOException {
        socket.setSoTimeout(millis);
        try {
            int c = in.read();
            if (c >= 0) {
                fail("unexpected byte " + (char) c + " (more may follow)");
            }
            fail("connection closed; expected it open and silent");
        } catch (SocketTimeoutException expected) {
            // silent, as expected
        } finally {
            socket.setSoTimeout(5000);
        }
        return this;
    }

    /** Asserts the server closes the connection (EOF) without sending anything more. */
    void expectClosed() throws IOException {
        int c;
        try {
            c = in.read();
        } catch (java.net.SocketException reset) {
            return;
        }
        assertEquals(-1, c, "expected the server to close the connection");
    }

    void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
