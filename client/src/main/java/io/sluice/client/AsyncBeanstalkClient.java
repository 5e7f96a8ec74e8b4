package io.sluice.client;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A pipelining client on one TCP connection: every command returns a {@link CompletableFuture} at once, many
 * commands are on the wire together, and replies are matched to commands in order (the broker answers in order).
 *
 * <p><b>Thread rule: thread-safe.</b> Any number of threads may submit; commands from one thread go out in the order
 * submitted. Two threads of the client's own do the I/O: a writer (drains the submission queue, flushes once per
 * batch, reconnects) and a reader (reads replies, completes futures). Futures are completed on the reader thread, so
 * non-async callbacks ({@code thenApply}, ...) run there: keep them short and never block in them (use the
 * {@code *Async} variants for slow work).
 *
 * <p><b>Back-pressure:</b> at most {@link ClientConfig#maxInFlight()} commands may be submitted and not yet answered.
 * Beyond that the submitting thread <b>blocks</b> until replies free a slot (an interrupted wait fails that future).
 * The one exception is the reader thread itself (a callback that submits a follow-up command): it never blocks, so a
 * chain of callbacks cannot deadlock, and may overshoot the limit by the commands it submits.
 *
 * <p>A waiting {@code reserve} holds back the replies of the commands behind it on the same connection (the broker
 * answers in order; beanstalkd does not even read them meanwhile): put reserves on their own client.
 *
 * <p>Sluice extensions: the same as {@link BeanstalkClient}'s, with the same rules (Sluice only; milliseconds). A body
 * command ({@code put} with {@link PutOptions}, {@code scheduleAdd}) answered {@code UNKNOWN_COMMAND} (beanstalkd)
 * drops the connection, since beanstalkd then reads the body as commands: the commands behind it fail with
 * {@link ConnectionLostException}.
 *
 * <p>Connection loss: every command on the wire fails with {@link ConnectionLostException} and none is re-sent.
 * Commands not yet written, and later ones, go out on a new connection (opened with exponential backoff), after the
 * used tube and watch list are re-applied. {@link #close()} fails whatever is still pending.
 */
public final class AsyncBeanstalkClient implements AutoCloseable {
    private final ClientConfig config;
    private final Session session = new Session();
    private final Semaphore permits;
    private final LinkedBlockingQueue<Pending<?>> outbox = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile boolean closed;
    /** Writer thread; read by close. */
    private volatile Connection conn;

    private AsyncBeanstalkClient(ClientConfig config) {
        this.config = config;
        this.permits = new Semaphore(config.maxInFlight());
        this.writer = new Thread(this::writeLoop, "sluice-async-writer-" + Wire.where(config));
        this.writer.setDaemon(true);
    }

    /**
     * Connects (retrying per the config's reconnect settings) and starts the I/O threads.
     *
     * @throws ConnectionLostException if the broker cannot be reached
     */
    public static AsyncBeanstalkClient connect(ClientConfig config) {
        AsyncBeanstalkClient c = new AsyncBeanstalkClient(config);
        c.conn = c.new Connection(Wire.connect(config, c.session, () -> false));
        c.conn.start();
        c.writer.start();
        return c;
    }

    public ClientConfig config() {
        return config;
    }

    // ---- commands: each as the blocking BeanstalkClient's, completed with its result or exception

    public CompletableFuture<Long> put(long pri, Duration delay, Duration ttr, byte[] body) {
        return submit(Protocol.put(pri, delay, ttr, body));
    }

    public CompletableFuture<Long> put(byte[] body) {
        return put(BeanstalkClient.DEFAULT_PRIORITY, Duration.ZERO, BeanstalkClient.DEFAULT_TTR, body);
    }

    public CompletableFuture<String> use(String tube) {
        return submit(Protocol.use(tube));
    }

    public CompletableFuture<Job> reserve() {
        return submit(Protocol.reserve());
    }

    public CompletableFuture<Optional<Job>> reserve(Duration timeout) {
        return submit(Protocol.reserve(timeout));
    }

    public CompletableFuture<Job> reserveJob(long id) {
        return submit(Protocol.reserveJob(id));
    }

    public CompletableFuture<Void> delete(long id) {
        return submit(Protocol.delete(id));
    }

    public CompletableFuture<Void> release(long id, long pri, Duration delay) {
        return submit(Protocol.release(id, pri, delay));
    }

    public CompletableFuture<Void> bury(long id, long pri) {
        return submit(Protocol.bury(id, pri));
    }

    public CompletableFuture<Void> touch(long id) {
        return submit(Protocol.touch(id));
    }

    public CompletableFuture<Integer> watch(String tube) {
        return submit(Protocol.watch(tube));
    }

    public CompletableFuture<Integer> ignore(String tube) {
        return submit(Protocol.ignore(tube));
    }

    public CompletableFuture<Optional<Job>> peek(long id) {
        return submit(Protocol.peek(id));
    }

    public CompletableFuture<Optional<Job>> peekReady() {
        return submit(Protocol.peekReady());
    }

    public CompletableFuture<Optional<Job>> peekDelayed() {
        return submit(Protocol.peekDelayed());
    }

    public CompletableFuture<Optional<Job>> peekBuried() {
        return submit(Protocol.peekBuried());
    }

    public CompletableFuture<Integer> kick(int bound) {
        return submit(Protocol.kick(bound));
    }

    public CompletableFuture<Void> kickJob(long id) {
        return submit(Protocol.kickJob(id));
    }

    public CompletableFuture<JobStats> statsJob(long id) {
        return submit(Protocol.statsJob(id));
    }

    public CompletableFuture<TubeStats> statsTube(String tube) {
        return submit(Protocol.statsTube(tube));
    }

    public CompletableFuture<ServerStats> stats() {
        return submit(Protocol.stats());
    }

    public CompletableFuture<List<String>> listTubes() {
        return submit(Protocol.listTubes());
    }

    public CompletableFuture<String> listTubeUsed() {
        return submit(Protocol.listTubeUsed());
    }

    public CompletableFuture<List<String>> listTubesWatched() {
        return submit(Protocol.listTubesWatched());
    }

    public CompletableFuture<Void> pauseTube(String tube, Duration pause) {
        return submit(Protocol.pauseTube(tube, pause));
    }

    // ---- Sluice extensions (PROTOCOL.md §7), Sluice only: each as the blocking client's (see BeanstalkClient)

    public CompletableFuture<PutResult> put(long pri, Duration delay, Duration ttr, byte[] body, PutOptions options) {
        return submit(ExtProtocol.putEx(pri, delay, ttr, body, options));
    }

    public CompletableFuture<Optional<Job>> peekKey(String key) {
        return submit(ExtProtocol.peekKey(key));
    }

    public CompletableFuture<Void> deleteKey(String key) {
        return submit(ExtProtocol.deleteKey(key));
    }

    public CompletableFuture<Optional<JobState>> jobState(long id) {
        return submit(ExtProtocol.jobState(id));
    }

    public CompletableFuture<Optional<JobState>> jobStateByKey(String key) {
        return submit(ExtProtocol.jobStateByKey(key));
    }

    public CompletableFuture<Cancellation> cancel(long id) {
        return submit(ExtProtocol.cancel(id));
    }

    public CompletableFuture<Cancellation> cancelByKey(String key) {
        return submit(ExtProtocol.cancelByKey(key));
    }

    public CompletableFuture<JobPage> listJobs(String tube, JobState.State state, int limit, long afterId) {
        return submit(ExtProtocol.listJobs(tube, state, limit, afterId));
    }

    public CompletableFuture<Long> clearTube(String tube) {
        return submit(ExtProtocol.clearTube(tube));
    }

    public CompletableFuture<Void> setTubeMaxReserves(String tube, long maxReserves) {
        return submit(ExtProtocol.tubeSetMaxReserves(tube, maxReserves));
    }

    public CompletableFuture<Void> releaseEx(long id, long pri, Duration delay) {
        return submit(ExtProtocol.releaseEx(id, pri, delay));
    }

    /** Holds back the replies behind it for up to {@code timeout}, like any reserve. */
    public CompletableFuture<Optional<Job>> reserveEx(Duration timeout) {
        return submit(ExtProtocol.reserveEx(timeout));
    }

    public CompletableFuture<Void> scheduleAdd(String name, long pri, Duration ttr, byte[] body, String spec,
                                               ZoneId zone) {
        return submit(ExtProtocol.scheduleAdd(name, pri, ttr, body, spec, zone));
    }

    public CompletableFuture<Void> scheduleAdd(String name, long pri, Duration ttr, byte[] body, String spec) {
        return scheduleAdd(name, pri, ttr, body, spec, null);
    }

    public CompletableFuture<Void> scheduleRemove(String name) {
        return submit(ExtProtocol.scheduleRemove(name));
    }

    public CompletableFuture<List<Schedule>> scheduleList() {
        return submit(ExtProtocol.scheduleList());
    }

    public CompletableFuture<ExtStats> statsExt() {
        return submit(ExtProtocol.statsExt());
    }

    /** The used tube as last confirmed by the broker; re-applied on reconnect. */
    public String usedTube() {
        return session.used();
    }

    /** The watch list as last confirmed by the broker; re-applied on reconnect. */
    public List<String> watchedTubes() {
        return session.watched();
    }

    /** Commands submitted and not yet completed (those holding a back-pressure slot). */
    public int inFlight() {
        return config.maxInFlight() - permits.availablePermits();
    }

    /**
     * Closes the connection at once: every pending future fails with {@link ConnectionLostException}. To finish
     * first, wait for the futures. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Connection c = conn;
        c.fail(new ConnectionLostException("client closed"));
        writer.interrupt();
        try {
            Thread self = Thread.currentThread();
            if (self != writer) {
                writer.join(5000);
            }
            if (self != c.reader) {
                c.reader.join(5000); // a callback may close the client from the reader thread
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Connection last = conn;
        if (last != c) {
            last.fail(new ConnectionLostException("client closed"));
        }
        failQueued(new ConnectionLostException("client closed"));
    }

    <T> CompletableFuture<T> submit(Request<T> request) {
        Pending<T> p = new Pending<>(request);
        Output bytes = Output.growing(request.size());
        bytes.append(request); // here, not on the writer: the caller may reuse the body once put returns
        p.bytes = bytes.array();
        p.length = bytes.size();
        if (closed) {
            p.fail(new IllegalStateException("client is closed"));
            return p.future;
        }
        Thread t = Thread.currentThread();
        if (t instanceof ReaderThread r && r.owner == this) {
            p.holdsPermit = permits.tryAcquire();
        } else {
            try {
                permits.acquire();
                p.holdsPermit = true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.fail(new ConnectionLostException("interrupted while waiting for an in-flight slot", e));
                return p.future;
            }
        }
        outbox.add(p);
        if (closed) {
            failQueued(new IllegalStateException("client is closed"));
        }
        return p.future;
    }

    private void failQueued(RuntimeException e) {
        Pending<?> p;
        while ((p = outbox.poll()) != null) {
            p.fail(e);
        }
    }

    private void writeLoop() {
        while (!closed) {
            Pending<?> p;
            try {
                p = outbox.take();
            } catch (InterruptedException e) {
                continue;
            }
            Connection c = null;
            while (p != null) {
                if (c == null || c.dead) {
                    c = connection();
                    if (c == null) {
                        p.fail(new ConnectionLostException("cannot reach " + Wire.where(config)));
                        failQueued(new ConnectionLostException("cannot reach " + Wire.where(config)));
                        break;
                    }
                }
                if (!c.register(p)) {
                    continue; // the connection died before p went out: p goes on the next one
                }
                try {
                    c.wire.write(p.bytes, 0, p.length);
                    p = outbox.poll();
                    if (p == null) {
                        c.wire.flush();
                    }
                } catch (IOException e) {
                    c.fail(new ConnectionLostException("connection to " + Wire.where(config) + " lost ("
                            + e + "); commands on it were not re-sent", e));
                    p = outbox.poll();
                }
            }
        }
    }

    /** The live connection, reconnecting if needed; null if that failed or the client closed. Writer thread. */
    private Connection connection() {
        Connection c = conn;
        if (!c.dead) {
            return c;
        }
        try {
            c.reader.join();
        } catch (InterruptedException e) {
            if (closed) {
                return null;
            }
            Thread.currentThread().interrupt();
        }
        if (closed) {
            return null;
        }
        try {
            Wire w = Wire.connect(config, session, () -> closed);
            Connection fresh = new Connection(w);
            conn = fresh;
            if (closed) {
                fresh.fail(new ConnectionLostException("client closed"));
                return null;
            }
            fresh.start();
            return fresh;
        } catch (ConnectionLostException e) {
            Thread.interrupted(); // a close() interrupt; the loop re-checks closed
            return null;
        }
    }

    /** A command waiting for its reply. */
    private final class Pending<T> {
        final Request<T> request;
        final CompletableFuture<T> future = new CompletableFuture<>();
        final AtomicBoolean done = new AtomicBoolean();
        boolean holdsPermit;
        long sentNanos;
        byte[] bytes;
        int length;

        Pending(Request<T> request) {
            this.request = request;
        }

        void complete(Reply reply) {
            if (!done.compareAndSet(false, true)) {
                return;
            }
            releasePermit();
            T value;
            try {
                value = request.decode(reply, session);
            } catch (RuntimeException e) {
                future.completeExceptionally(e);
                return;
            }
            future.complete(value);
        }

        void fail(Throwable e) {
            if (!done.compareAndSet(false, true)) {
                return;
            }
            releasePermit();
            future.completeExceptionally(e);
        }

        private void releasePermit() {
            if (holdsPermit) {
                permits.release();
            }
        }
    }

    private static final class ReaderThread extends Thread {
        final AsyncBeanstalkClient owner;

        ReaderThread(AsyncBeanstalkClient owner, Runnable r, String name) {
            super(r, name);
            this.owner = owner;
            setDaemon(true);
        }
    }

    /** One TCP connection and the commands on it, in the order written. */
    private final class Connection {
        final Wire wire;
        final ReaderThread reader;
        /** Guarded by this. */
        private final ArrayDeque<Pending<?>> onWire = new ArrayDeque<>();
        volatile boolean dead;
        private long lastReplyNanos = System.nanoTime();

        Connection(Wire wire) {
            this.wire = wire;
            this.reader = new ReaderThread(AsyncBeanstalkClient.this, this::readLoop,
                    "sluice-async-reader-" + Wire.where(config));
        }

        void start() {
            reader.start();
        }

        synchronized boolean register(Pending<?> p) {
            if (dead) {
                return false;
            }
            p.sentNanos = System.nanoTime();
            onWire.add(p);
            return true;
        }

        private synchronized Pending<?> next() {
            return onWire.poll();
        }

        private synchronized Pending<?> head() {
            return onWire.peek();
        }

        /** Marks the connection dead, closes it, and fails every command on it. */
        void fail(RuntimeException cause) {
            List<Pending<?>> failed;
            synchronized (this) {
                if (dead) {
                    return;
                }
                dead = true;
                failed = List.copyOf(onWire);
                onWire.clear();
            }
            wire.close();
            for (Pending<?> p : failed) {
                p.fail(cause);
            }
        }

        private void readLoop() {
            long readTimeoutMs = config.readTimeout().toMillis();
            int soTimeout = readTimeoutMs == 0 ? 0 : (int) Math.min(Integer.MAX_VALUE, Math.max(50, readTimeoutMs / 4));
            while (!dead) {
                Reply reply;
                try {
                    reply = wire.read(soTimeout);
                } catch (SocketTimeoutException e) {
                    if (overdue(readTimeoutMs)) {
                        fail(new ConnectionLostException("no reply from " + Wire.where(config)
                                + " within the read timeout; commands on the connection were not re-sent", e));
                    }
                    continue;
                } catch (IOException e) {
                    fail(new ConnectionLostException("connection to " + Wire.where(config) + " lost (" + e
                            + "); commands on it were not re-sent", e));
                    return;
                }
                lastReplyNanos = System.nanoTime();
                Pending<?> p = next();
                if (p == null) {
                    if (!dead) {
                        fail(new ConnectionLostException("reply with no command waiting: " + reply.line()));
                    }
                    return;
                }
                if (p.request.outOfStep(reply)) {
                    // the broker reads p's body as commands: the replies behind would answer the wrong commands
                    fail(new ConnectionLostException(p.request.text() + " was answered " + reply.line()
                            + " (not a Sluice broker?); commands behind it on the connection were not re-sent"));
                    p.complete(reply);
                    return;
                }
                p.complete(reply);
            }
        }

        /** Whether the oldest command has waited longer than its read timeout (plus its own reserve wait). */
        private boolean overdue(long readTimeoutMs) {
            Pending<?> h = head();
            if (h == null || h.request.waitMs() == Request.UNBOUNDED) {
                return false;
            }
            long since = Math.max(lastReplyNanos, h.sentNanos);
            long allowed = (readTimeoutMs + h.request.waitMs()) * 1_000_000L;
            return System.nanoTime() - since > allowed;
        }
    }
}
