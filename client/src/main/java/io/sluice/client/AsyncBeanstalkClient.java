package io.sluice.client;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A pipelining client on one TCP connection: every command returns a {@link CompletableFuture} at once, many
 * commands are on the wire together, and replies are matched to commands in order (the broker answers in order).
 *
 * <p><b>Thread rule: thread-safe.</b> Any number of threads may submit; commands from one thread go out in the order
 * submitted. A submitting thread encodes its command itself, into a staging buffer shared with the others. Two
 * threads of the client's own do the I/O: a writer (takes everything staged at once, writes it in one socket write,
 * reconnects) and a reader (reads replies, completes futures). A submitter about to block on back-pressure first
 * writes what is staged itself, if no other thread is writing and the connection is up. Futures are completed on the reader thread, so
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
    /** The staging buffer's size, and what it shrinks back to after holding a burst of large commands. */
    private static final int STAGING_SIZE = 64 * 1024;
    /** A command larger than this is encoded into an array of its own, outside the lock, not into the staging. */
    private static final int OWN_ARRAY_OVER = 16 * 1024;
    /** Most replies the reader takes from its buffer before completing their futures. */
    private static final int READ_BATCH = 256;
    private static final VarHandle DONE;

    static {
        try {
            DONE = MethodHandles.lookup().findVarHandle(Pending.class, "done", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ClientConfig config;
    private final Session session = new Session();
    private final Semaphore permits;
    private final Thread writer;
    /** Guards outbox, staging and writerParked. */
    private final Object lock = new Object();
    /** Commands submitted and not yet taken by the writer, in order; their bytes are in staging. */
    private ArrayDeque<Pending<?>> outbox = new ArrayDeque<>();
    private Output staging = Output.growing(STAGING_SIZE);
    /** The writer is parked, or about to, for want of commands: the next submitter unparks it. */
    private boolean writerParked;
    /** Held by whoever writes to the connection: the writer thread, or a submitter flushing before it blocks. */
    private final ReentrantLock writeLock = new ReentrantLock();
    /** The batch being written, swapped with outbox and staging (under writeLock): no allocation per batch. */
    private ArrayDeque<Pending<?>> writing = new ArrayDeque<>();
    private Output writingBytes = Output.growing(STAGING_SIZE);
    private volatile boolean closed;
    /** Replaced by the writer thread on reconnect; read by close and by flushing submitters. */
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

    public CompletableFuture<Long> tubeMaxReserves(String tube) {
        return submit(ExtProtocol.tubeMaxReserves(tube));
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
        if (closed) {
            p.fail(new IllegalStateException("client is closed"));
            return p.future;
        }
        Thread t = Thread.currentThread();
        if (t instanceof ReaderThread r && r.owner == this) {
            p.holdsPermit = permits.tryAcquire();
        } else {
            try {
                if (!permits.tryAcquire()) {
                    flushBeforeBlocking();
                    permits.acquire();
                }
                p.holdsPermit = true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.fail(new ConnectionLostException("interrupted while waiting for an in-flight slot", e));
                return p.future;
            }
        }
        // Encoded here, not on the writer: the caller may reuse the body once put returns.
        if (request.size() > OWN_ARRAY_OVER) {
            Output own = Output.growing(request.size());
            own.append(request);
            p.own = own.array();
            p.end = own.size();
        }
        boolean wake;
        synchronized (lock) {
            if (p.own == null) {
                p.start = staging.size();
                staging.append(request);
                p.end = staging.size();
            }
            outbox.add(p);
            wake = writerParked;
            writerParked = false;
        }
        if (wake) {
            LockSupport.unpark(writer); // one wake-up per batch: the writer takes all that is staged meanwhile
        }
        if (closed) {
            failQueued(new IllegalStateException("client is closed"));
        }
        return p.future;
    }

    private void failQueued(RuntimeException e) {
        ArrayDeque<Pending<?>> queued;
        synchronized (lock) {
            if (outbox.isEmpty()) {
                return;
            }
            queued = outbox;
            outbox = new ArrayDeque<>();
            staging.reset(STAGING_SIZE); // their bytes must never go out with a later batch
        }
        for (Pending<?> p : queued) {
            p.fail(e);
        }
    }

    /**
     * The window is full, so nothing more can go before replies come: write what is staged now, on this thread, as
     * one write, rather than wait for the writer to wake (a pipelining submitter's batches then go out as a raw
     * socket loop's would). Skipped if another thread is writing (it takes what is staged before it parks) or the
     * connection is down (reconnecting is the writer's).
     */
    private void flushBeforeBlocking() {
        if (writeLock.isHeldByCurrentThread() || !writeLock.tryLock()) {
            return; // held: a callback of a command failed while this thread writes; it must not re-enter
        }
        try {
            Connection c = conn;
            if (c.dead) {
                return;
            }
            if (writing.isEmpty() && !takeStaged(false)) {
                return;
            }
            do {
                if (!writeBatch(false)) {
                    if (closed) {
                        failWriting(); // the writer may have stopped already
                    } else {
                        LockSupport.unpark(writer); // the rest of the batch waits for a new connection
                    }
                    return;
                }
            } while (takeStaged(false));
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Takes every staged command into {@link #writing} and {@link #writingBytes} (both empty), by swapping them with
     * the outbox and staging. False when nothing is staged; then, if {@code writerParks}, the writer is marked
     * parked, and the next submitter unparks it. Under writeLock.
     */
    private boolean takeStaged(boolean writerParks) {
        synchronized (lock) {
            if (outbox.isEmpty()) {
                writerParked |= writerParks;
                return false;
            }
            ArrayDeque<Pending<?>> q = outbox;
            outbox = writing;
            writing = q;
            Output b = staging;
            staging = writingBytes;
            writingBytes = b;
            return true;
        }
    }

    private void writeLoop() {
        while (!closed) {
            if (writeLock.tryLock()) {
                try {
                    if (!writing.isEmpty()) {
                        writeBatch(true); // left by a submitter whose connection died under it
                    }
                    while (takeStaged(true)) {
                        writeBatch(true);
                    }
                } finally {
                    writeLock.unlock();
                }
            } else if (!parkWhileOtherWrites()) {
                writeLock.lock(); // staged while another thread writes, maybe after its last look: take it
                writeLock.unlock();
                continue;
            }
            LockSupport.park(this);
            Thread.interrupted(); // close() interrupts to wake the writer; the loop checks closed
        }
        writeLock.lock();
        try {
            failWriting();
        } finally {
            writeLock.unlock();
        }
    }

    /** Fails what a batch left unwritten (closing). Under writeLock. */
    private void failWriting() {
        Pending<?> p;
        while ((p = writing.poll()) != null) {
            p.fail(new ConnectionLostException("client closed"));
        }
        writingBytes.reset(STAGING_SIZE);
    }

    /**
     * A submitter holds writeLock and takes what is staged before it lets go: rather than wait for the lock (and
     * make its unlock wake this thread), the writer parks, and the next submitter unparks it. False, not parked,
     * when something is already staged (the holder may have looked for the last time). Writer thread.
     */
    private boolean parkWhileOtherWrites() {
        synchronized (lock) {
            if (!outbox.isEmpty()) {
                return false;
            }
            writerParked = true;
            return true;
        }
    }

    /**
     * Writes {@link #writing} out in order, flushing once at its end, and empties it. Reconnects if the connection is
     * down and {@code mayConnect} (the writer thread); else returns false, leaving the rest in {@link #writing}.
     * Under writeLock.
     */
    private boolean writeBatch(boolean mayConnect) {
        ArrayDeque<Pending<?>> q = writing;
        byte[] staged = writingBytes.array();
        Connection c = conn;
        long now = System.nanoTime();
        Pending<?> p;
        while ((p = q.peek()) != null) {
            if (c.dead) {
                if (!mayConnect) {
                    return false;
                }
                c = connection();
                if (c == null) {
                    ConnectionLostException e = new ConnectionLostException("cannot reach " + Wire.where(config));
                    while ((p = q.poll()) != null) {
                        p.fail(e);
                    }
                    writingBytes.reset(STAGING_SIZE);
                    failQueued(new ConnectionLostException("cannot reach " + Wire.where(config)));
                    return true;
                }
                now = System.nanoTime();
            }
            if (!c.register(p, now)) {
                continue; // the connection died before p went out: p goes on the next one
            }
            q.poll();
            try {
                if (p.own != null) {
                    c.wire.write(p.own, 0, p.end);
                } else {
                    c.wire.write(staged, p.start, p.end - p.start);
                }
                if (q.isEmpty()) {
                    c.wire.flush();
                }
            } catch (IOException e) {
                c.fail(new ConnectionLostException("connection to " + Wire.where(config) + " lost ("
                        + e + "); commands on it were not re-sent", e));
            }
        }
        writingBytes.reset(STAGING_SIZE);
        return true;
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
        /** 0 until claimed (DONE): exactly one of complete and fail frees the slot and completes the future. */
        volatile int done;
        boolean holdsPermit;
        long sentNanos;
        /** The command's bytes: {@code own[0, end)}, or {@code [start, end)} of its batch's staging buffer. */
        byte[] own;
        int start;
        int end;

        Pending(Request<T> request) {
            this.request = request;
        }

        boolean claim() {
            return DONE.compareAndSet(this, 0, 1);
        }

        void complete(Reply reply) {
            if (claim()) {
                releasePermit();
                deliver(reply);
            }
        }

        /** Completes a claimed command whose slot was already freed. */
        void deliver(Reply reply) {
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
            if (claim()) {
                releasePermit();
                future.completeExceptionally(e);
            }
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

        synchronized boolean register(Pending<?> p, long nowNanos) {
            if (dead) {
                return false;
            }
            p.sentNanos = nowNanos;
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
            Pending<?>[] claimed = new Pending<?>[READ_BATCH];
            Reply[] replies = new Reply[READ_BATCH];
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
                    fail(lost(e));
                    return;
                }
                lastReplyNanos = System.nanoTime();
                // Every reply already received, matched in order; their slots are freed together (one wake-up of a
                // blocked submitter for the lot), before their futures complete (so a completed command never
                // still counts in inFlight).
                int n = 0;
                int slots = 0;
                try {
                    do {
                        Pending<?> p = next();
                        if (p == null) {
                            deliver(claimed, replies, n, slots);
                            if (!dead) {
                                fail(new ConnectionLostException("reply with no command waiting: " + reply.line()));
                            }
                            return;
                        }
                        if (p.request.outOfStep(reply)) {
                            deliver(claimed, replies, n, slots);
                            // the broker reads p's body as commands: the replies behind would answer the wrong ones
                            fail(new ConnectionLostException(p.request.text() + " was answered " + reply.line()
                                    + " (not a Sluice broker?); commands behind it on the connection were not"
                                    + " re-sent"));
                            p.complete(reply);
                            return;
                        }
                        if (p.claim()) {
                            claimed[n] = p;
                            replies[n++] = reply;
                            slots += p.holdsPermit ? 1 : 0;
                        }
                    } while (n < READ_BATCH && (reply = wire.poll()) != null);
                } catch (IOException e) {
                    deliver(claimed, replies, n, slots);
                    fail(lost(e));
                    return;
                }
                deliver(claimed, replies, n, slots);
            }
        }

        /** Frees {@code slots} and completes the first {@code n} claimed commands with their replies. */
        private void deliver(Pending<?>[] claimed, Reply[] replies, int n, int slots) {
            if (slots > 0) {
                permits.release(slots);
            }
            for (int i = 0; i < n; i++) {
                Pending<?> p = claimed[i];
                Reply r = replies[i];
                claimed[i] = null;
                replies[i] = null;
                p.deliver(r);
            }
        }

        private ConnectionLostException lost(IOException e) {
            return new ConnectionLostException("connection to " + Wire.where(config) + " lost (" + e
                    + "); commands on it were not re-sent", e);
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
