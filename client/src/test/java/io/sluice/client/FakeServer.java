package io.sluice.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A scripted beanstalkd stand-in for replies a real broker will not produce on demand. Reads command lines (and put,
 * put-ex and schedule-add bodies), asks the script for a reply: a string is sent (CRLF added), {@link #CLOSE} closes
 * the connection, {@link #SILENT} sends nothing. Records every line per connection. Connections are served one at a
 * time.
 */
final class FakeServer implements AutoCloseable {
    static final String CLOSE = "<close>";
    static final String SILENT = "<silent>";

    private final ServerSocket server;
    private final Function<String, String> script;
    /** One list of received lines per accepted connection. */
    final List<List<String>> connections = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile Socket current;

    FakeServer(Function<String, String> script) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.script = script;
        this.thread = new Thread(this::serve, "fake-beanstalkd");
        thread.setDaemon(true);
        thread.start();
    }

    int port() {
        return server.getLocalPort();
    }

    ClientConfig.Builder config() {
        return ClientConfig.builder().port(port());
    }

    private void serve() {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                current = s;
                List<String> lines = new CopyOnWriteArrayList<>();
                connections.add(lines);
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                String line;
                while ((line = readLine(in)) != null) {
                    lines.add(line);
                    if (line.startsWith("put ")) {
                        int n = Integer.parseInt(line.substring(line.lastIndexOf(' ') + 1));
                        in.readNBytes(n + 2);
                    } else if (line.startsWith("put-ex ") || line.startsWith("schedule-add ")) {
                        int n = Integer.parseInt(line.split(" ")[4]); // Sluice: the size is the 4th argument
                        in.readNBytes(n + 2);
                    }
                    String reply = script.apply(line);
                    if (CLOSE.equals(reply)) {
                        break;
                    }
                    if (!SILENT.equals(reply)) {
                        out.write((reply + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                        out.flush();
                    }
                }
            } catch (IOException e) {
                // next connection
            }
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int prev = -1;
        while (true) {
            int c = in.read();
            if (c < 0) {
                return null;
            }
            if (prev == '\r' && c == '\n') {
                byte[] bytes = b.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.ISO_8859_1);
            }
            b.write(c);
            prev = c;
        }
    }

    List<String> lines(int connection) {
        return new ArrayList<>(connections.get(connection));
    }

    @Override
    public void close() throws IOException {
        server.close();
        Socket s = current;
        if (s != null) {
            s.close();
        }
    }
}
