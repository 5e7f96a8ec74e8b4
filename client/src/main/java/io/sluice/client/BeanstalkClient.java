package io.sluice.client;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A blocking client: one object, one TCP connection, one command at a time. Speaks the beanstalkd protocol, so it
 * works against Sluice and beanstalkd alike. Reservations belong to the connection: a job reserved here can only be
 * deleted, released, buried or touched through this same object.
 *
 * <p>Thread rule: not thread-safe; use it from one thread at a time (one client per worker thread).
 */
public final class BeanstalkClient implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private BeanstalkClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream(), 65536);
        this.out = new BufferedOutputStream(socket.getOutputStream(), 65536);
    }

    /** Connects with a 5 s connect timeout and no read timeout (a reserve may block for long). */
    public static BeanstalkClient connect(String host, int port) {
        return connect(host, port, Duration.ofSeconds(5));
    }

    public static BeanstalkClient connect(String host, int port, Duration connectTimeout) {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(host, port), (int) connectTimeout.toMillis());
            return new BeanstalkClient(s);
        } catch (IOException e) {
            try {
                s.close();
            } catch (IOException ignored) {
                // nothing to release
            }
            throw new BeanstalkException.ConnectionLost("cannot connect to " + host + ":" + port, e);
        }
    }

    // ------------------------------------------------------------------ producer

    /** Puts a job into the used tube; returns its id. */
    public long put(long priority, Duration delay, Duration ttr, byte[] body) {
        String cmd = "put " + Integer.toUnsignedString((int) priority) + " " + delay.toSeconds() + " "
                + ttr.toSeconds() + " " + body.length;
        send(cmd, body);
        String[] r = reply(cmd);
        if (r[0].equals("INSERTED")) {
            return Long.parseUnsignedLong(r[1]);
        }
        if (r[0].equals("BURIED") && r.length == 2) {
            throw new BeanstalkException.Buried(Long.parseUnsignedLong(r[1]));
        }
        throw error(r, cmd);
    }

    public long put(String body) {
        return put(1024, Duration.ZERO, Duration.ofSeconds(60), body.getBytes(StandardCharsets.UTF_8));
    }

    public void use(String tube) {
        expect("use " + tube, "USING");
    }

    // ------------------------------------------------------------------ worker

    public int watch(String tube) {
        return Integer.parseInt(expect("watch " + tube, "WATCHING")[1]);
    }

    public int ignore(String tube) {
        String cmd = "ignore " + tube;
        send(cmd, null);
        String[] r = reply(cmd);
        if (r[0].equals("WATCHING")) {
            return Integer.parseInt(r[1]);
        }
        if (r[0].equals("NOT_IGNORED")) {
            throw new BeanstalkException.NotIgnored();
        }
        throw error(r, cmd);
    }

    /** Waits for a job from the watched tubes. */
    public Job reserve() {
        return reserveCommand("reserve").orElseThrow();
    }

    /** Waits at most {@code timeout} (whole seconds); empty when none came. */
    public Optional<Job> reserve(Duration timeout) {
        return reserveCommand("reserve-with-timeout " + timeout.toSeconds());
    }

    public Job reserveJob(long id) {
        return reserveCommand("reserve-job " + Long.toUnsignedString(id)).orElseThrow();
    }

    private Optional<Job> reserveCommand(String cmd) {
        send(cmd, null);
        String[] r = reply(cmd);
        if (r[0].equals("RESERVED")) {
            return Optional.of(new Job(Long.parseUnsignedLong(r[1]), body(r[2])));
        }
        if (r[0].equals("TIMED_OUT")) {
            return Optional.empty();
        }
        if (r[0].equals("DEADLINE_SOON")) {
            throw new BeanstalkException.DeadlineSoon();
        }
        throw error(r, cmd);
    }

    public void delete(long id) {
        expect("delete " + Long.toUnsignedString(id), "DELETED");
    }

    public void release(long id, long priority, Duration delay) {
        String cmd = "release " + Long.toUnsignedString(id) + " " + Integer.toUnsignedString((int) priority) + " "
                + delay.toSeconds();
        send(cmd, null);
        String[] r = reply(cmd);
        if (r[0].equals("RELEASED")) {
            return;
        }
        if (r[0].equals("BURIED")) {
            throw new BeanstalkException.Buried(-1);
        }
        throw error(r, cmd);
    }

    public void bury(long id, long priority) {
        expect("bury " + Long.toUnsignedString(id) + " " + Integer.toUnsignedString((int) priority), "BURIED");
    }

    public void touch(long id) {
        expect("touch " + Long.toUnsignedString(id), "TOUCHED");
    }

    // ------------------------------------------------------------------ inspection and admin

    public Optional<Job> peek(long id) {
        return peekCommand("peek " + Long.toUnsignedString(id));
    }

    public Optional<Job> peekReady() {
        return peekCommand("peek-ready");
    }

    public Optional<Job> peekDelayed() {
        return peekCommand("peek-delayed");
    }

    public Optional<Job> peekBuried() {
        return peekCommand("peek-buried");
    }

    private Optional<Job> peekCommand(String cmd) {
        send(cmd, null);
        String[] r = reply(cmd);
        if (r[0].equals("FOUND")) {
            return Optional.of(new Job(Long.parseUnsignedLong(r[1]), body(r[2])));
        }
        if (r[0].equals("NOT_FOUND")) {
            return Optional.empty();
        }
        throw error(r, cmd);
    }

    /** Kicks up to {@code bound} buried (or, if none, delayed) jobs of the used tube; returns how many. */
    public long kick(long bound) {
        return Long.parseLong(expect("kick " + bound, "KICKED")[1]);
    }

    public void kickJob(long id) {
        expect("kick-job " + Long.toUnsignedString(id), "KICKED");
    }

    public void pauseTube(String tube, Duration delay) {
        expect("pause-tube " + tube + " " + delay.toSeconds(), "PAUSED");
    }

    public Map<String, String> stats() {
        return yamlMap(okBody("stats"));
    }

    public Map<String, String> statsTube(String tube) {
        return yamlMap(okBody("stats-tube " + tube));
    }

    public Map<String, String> statsJob(long id) {
        return yamlMap(okBody("stats-job " + Long.toUnsignedString(id)));
    }

    public List<String> listTubes() {
        return yamlList(okBody("list-tubes"));
    }

    public List<String> listTubesWatched() {
        return yamlList(okBody("list-tubes-watched"));
    }

    public String listTubeUsed() {
        return expect("list-tube-used", "USING")[1];
    }

    /** Closes the connection; reserved jobs return to ready at the broker. */
    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    // ------------------------------------------------------------------ wire

    private String okBody(String cmd) {
        send(cmd, null);
        String[] r = reply(cmd);
        if (!r[0].equals("OK")) {
            throw error(r, cmd);
        }
        return new String(body(r[1]), StandardCharsets.UTF_8);
    }

    private String[] expect(String cmd, String word) {
        send(cmd, null);
        String[] r = reply(cmd);
        if (!r[0].equals(word)) {
            throw error(r, cmd);
        }
        return r;
    }

    private void send(String line, byte[] body) {
        try {
            out.write(line.getBytes(StandardCharsets.US_ASCII));
            out.write('\r');
            out.write('\n');
            if (body != null) {
                out.write(body);
                out.write('\r');
                out.write('\n');
            }
            out.flush();
        } catch (IOException e) {
            throw lost(e);
        }
    }

    private String[] reply(String cmd) {
        try {
            ByteArrayOutputStream b = new ByteArrayOutputStream(64);
            int prev = -1;
            for (;;) {
                int c = in.read();
                if (c < 0) {
                    throw new BeanstalkException.ConnectionLost("the broker closed the connection during " + cmd,
                            null);
                }
                if (prev == '\r' && c == '\n') {
                    String line = b.toString(StandardCharsets.US_ASCII);
                    return line.substring(0, line.length() - 1).split(" ");
                }
                b.write(c);
                prev = c;
            }
        } catch (SocketTimeoutException e) {
            throw lost(e);
        } catch (IOException e) {
            throw lost(e);
        }
    }

    private byte[] body(String length) {
        try {
            int n = Integer.parseInt(length);
            byte[] data = in.readNBytes(n + 2);
            if (data.length != n + 2 || data[n] != '\r' || data[n + 1] != '\n') {
                throw new BeanstalkException.ConnectionLost("truncated or malformed body", null);
            }
            return java.util.Arrays.copyOf(data, n);
        } catch (IOException e) {
            throw lost(e);
        }
    }

    private BeanstalkException lost(IOException e) {
        close();
        return new BeanstalkException.ConnectionLost("connection to the broker lost: " + e.getMessage(), e);
    }

    private static BeanstalkException error(String[] r, String cmd) {
        if (r[0].equals("NOT_FOUND")) {
            return new BeanstalkException.NotFound(cmd);
        }
        return new BeanstalkException.ErrorReply(String.join(" ", r), cmd);
    }

    /** The flat {@code key: value} YAML of the stats replies; quotes around values are removed. */
    static Map<String, String> yamlMap(String yaml) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : yaml.split("\n")) {
            int colon = line.indexOf(": ");
            if (colon > 0 && !line.startsWith("-")) {
                String v = line.substring(colon + 2);
                if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
                    v = v.substring(1, v.length() - 1);
                }
                m.put(line.substring(0, colon), v);
            }
        }
        return m;
    }

    /** The {@code - item} YAML list of the list replies. */
    static List<String> yamlList(String yaml) {
        List<String> items = new ArrayList<>();
        for (String line : yaml.split("\n")) {
            if (line.startsWith("- ")) {
                items.add(line.substring(2));
            }
        }
        return items;
    }
}
