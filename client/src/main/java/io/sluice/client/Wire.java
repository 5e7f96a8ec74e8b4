package io.sluice.client;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One TCP connection to the broker: an {@link Output} buffer, a {@link ReplyReader}, and {@link #connect} which opens one
 * with retries and exponential backoff and re-applies a {@link Session}. Thread rule: one writing thread and one
 * reading thread at a time; {@link #close} from any thread.
 */
final class Wire implements AutoCloseable {
    private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final Socket socket;
    private final Output out;
    private final ReplyReader reader;
    /** The SO_TIMEOUT last set, so that a reader asking for the same one each reply does not set it again. */
    private int soTimeout = -1;

    private Wire(Socket socket) throws IOException {
        this.socket = socket;
        this.out = Output.toStream(socket.getOutputStream(), 64 * 1024);
        this.reader = new ReplyReader(socket.getInputStream());
    }

    static Wire open(ClientConfig config) throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.setKeepAlive(true);
            s.connect(new InetSocketAddress(config.host(), config.port()),
                    (int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()));
            return new Wire(s);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /**
     * Connects, retrying with exponential backoff up to {@code config.reconnectAttempts()} attempts, and brings the
     * new connection to the session's use/watch state.
     *
     * @param cancelled checked between attempts: true stops retrying
     * @throws ConnectionLostException when every attempt failed
     */
    static Wire connect(ClientConfig config, Session session, BooleanSupplier cancelled) {
        Exception last = null;
        long backoff = config.reconnectBackoff().toNanos();
        long maxBackoff = config.reconnectBackoffMax().toNanos();
        for (int attempt = 1; attempt <= config.reconnectAttempts(); attempt++) {
            if (attempt > 1) {
                pause(backoff, cancelled, config);
                backoff = Math.min(maxBackoff, backoff * 2);
            }
            if (cancelled.getAsBoolean()) {
                throw new ConnectionLostException("stopped connecting to " + where(config) + ": closing");
            }
            Wire w = null;
            try {
                w = open(config);
                w.restore(session, config);
                return w;
            } catch (IOException e) {
                last = e;
                if (w != null) {
                    w.close();
                }
            } catch (BeanstalkException e) {
                w.close();
                throw new ConnectionLostException("connected to " + where(config)
                        + " but could not re-apply use/watch: " + e.getMessage(), e);
            }
        }
        throw new ConnectionLostException("cannot connect to " + where(config) + " after "
                + config.reconnectAttempts() + " attempt(s): " + last, last);
    }

    /** Sleeps {@code nanos}, in short slices so a cancellation is seen within ~50 ms, not after a whole backoff. */
    private static void pause(long nanos, BooleanSupplier cancelled, ClientConfig config) {
        long until = System.nanoTime() + nanos;
        try {
            for (long left = nanos; left > 0 && !cancelled.getAsBoolean(); left = until - System.nanoTime()) {
                TimeUnit.NANOSECONDS.sleep(Math.min(left, SLICE_NANOS));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectionLostException("interrupted while reconnecting to " + where(config), e);
        }
    }

    private void restore(Session session, ClientConfig config) throws IOException {
        List<Request<?>> requests = session.restore();
        if (requests.isEmpty()) {
            return;
        }
        for (Request<?> r : requests) {
            send(r);
        }
        flush();
        for (Request<?> r : requests) {
            r.decode(read(r.readTimeoutMs(config.readTimeout().toMillis())), session);
        }
    }

    static String where(ClientConfig config) {
        return config.host() + ":" + config.port();
    }

    /** Encodes {@code request} into the output buffer (it goes out, at the latest, on {@link #flush}). */
    void send(Request<?> request) throws IOException {
        request.writeTo(out);
    }

    void write(byte[] bytes, int off, int len) throws IOException {
        out.write(bytes, off, len);
    }

    void flush() throws IOException {
        out.flush();
    }

    /** Reads one reply, waiting at most {@code timeoutMs} (0 = forever) for data to arrive. */
    Reply read(int timeoutMs) throws IOException {
        timeout(timeoutMs);
        return reader.read();
    }

    /** The next reply if it has already been received whole, else null; never blocks (see {@link ReplyReader#poll}). */
    Reply poll() throws IOException {
        return reader.poll();
    }

    private void timeout(int ms) throws IOException {
        if (ms != soTimeout) {
            socket.setSoTimeout(ms);
            soTimeout = ms;
        }
    }

    /**
     * Whether the connection still looks usable before a command is sent: false if the broker closed it or sent
     * something nobody asked for. Waits about a millisecond.
     */
    boolean probe() {
        try {
            if (reader.hasBuffered()) {
                return false;
            }
            timeout(1);
            return !reader.eofWithin() && !reader.hasBuffered();
        } catch (IOException e) {
            return false;
        }
    }

    /** Sends {@code quit} without waiting, ignoring failures (the connection is going anyway). */
    void quietQuit() {
        try {
            out.write(Protocol.QUIT);
            out.flush();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing to recover
        }
    }
}
