package io.sluice.client;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * A blocking client on one TCP connection to a Sluice or beanstalkd broker: one typed method per protocol command.
 *
 * <p><b>Thread rule: not thread-safe; one thread at a time.</b> A connection is also the unit that owns reservations
 * (only the connection that reserved a job may delete, release, bury or touch it), so give each worker thread its
 * own client. For many producer threads use {@link ClientPool}; to pipeline from one connection use
 * {@link AsyncBeanstalkClient}.
 *
 * <p>Errors: each error reply is a subclass of {@link BeanstalkException} ({@link NotFoundException},
 * {@link DeadlineSoonException}, ...). Peeks answer {@link Optional#empty()} for {@code NOT_FOUND}, and
 * {@link #reserve(Duration)} for {@code TIMED_OUT}.
 *
 * <p>Connection loss: a command whose connection breaks, or whose reply does not come within the read timeout,
 * fails with {@link ConnectionLostException} and is never re-sent (the broker may or may not have applied it). The
 * next call reconnects (with exponential backoff, see {@link ClientConfig}) and re-applies the used tube and the
 * watch list before sending its own command. A connection found closed by the broker before a command is sent
 * (checked when it has been idle a while) is replaced the same way, since nothing was sent on it. Jobs reserved on
 * a lost connection are released by the broker; a reconnected client no longer holds them.
 *
 * <p>Numbers: priorities are unsigned 32-bit ({@code 0} most urgent); durations are sent as whole seconds, rounded
 * up, except by the Sluice extensions, which send milliseconds (rounded up); job ids are unsigned 64-bit.
 *
 * <p>Sluice extensions (PROTOCOL.md §7): {@link #put(long, Duration, Duration, byte[], PutOptions)} with a key, a TTL
 * or a reserve limit, lookups by key, {@link #jobState}, {@link #cancel}, {@link #listJobs}, {@link #clearTube},
 * {@link #setTubeMaxReserves}, {@link #releaseEx} and {@link #reserveEx} (sub-second), schedules and
 * {@link #statsExt}. They work on a Sluice broker only; beanstalkd answers them {@link UnknownCommandException} or
 * {@link BadFormatException}. Every beanstalkd command keeps its beanstalkd form whatever its arguments, so code that
 * uses only those runs on both brokers. On Sluice, {@link #touch}, {@link #release} and {@link #bury} of a job
 * cancelled while reserved throw {@link CancelledException}.
 */
public final class BeanstalkClient implements AutoCloseable {
    /** Priority used by {@link #put(byte[])}: 1024, the first non-urgent priority. */
    public static final long DEFAULT_PRIORITY = 1024;
    /** TTR used by {@link #put(byte[])}. */
    public static final Duration DEFAULT_TTR = Duration.ofSeconds(60);

    /** A connection idle this long is checked for a broker-side close before the next command goes on it. */
    private static final long PROBE_IDLE_NANOS = 100_000_000L;

    private final ClientConfig config;
    /** Besides {@link #close()}, what stops a (re)connect between attempts; checked on the calling thread. */
    private final BooleanSupplier cancelled;
    private final Session session = new Session();
    private Wire wire;
    private boolean closed;
    private long lastIoNanos;

    private BeanstalkClient(ClientConfig config, BooleanSupplier cancelled) {
        this.config = config;
        this.cancelled = cancelled;
    }

    /**
     * Connects (retrying per the config's reconnect settings).
     *
     * @throws ConnectionLostException if the broker cannot be reached
     */
    public static BeanstalkClient connect(ClientConfig config) {
        return connect(config, () -> false);
    }

    /**
     * Connects; {@code cancelled} (checked on the calling thread between attempts, and while backing off) ends this
     * and every later reconnect early with {@link ConnectionLostException}. For the {@link Worker}, whose shutdown
     * must not wait out a long reconnect budget.
     */
    static BeanstalkClient connect(ClientConfig config, BooleanSupplier cancelled) {
        BeanstalkClient c = new BeanstalkClient(config, Objects.requireNonNull(cancelled, "cancelled"));
        c.wire = Wire.connect(config, c.session, cancelled);
        c.lastIoNanos = System.nanoTime();
        return c;
    }

    /** Connects to {@code host:port} with default settings. */
    public static BeanstalkClient connect(String host, int port) {
        return connect(ClientConfig.builder().host(host).port(port).build());
    }

    public ClientConfig config() {
        return config;
    }

    // ---- producer

    /**
     * Puts a job into the used tube.
     *
     * @param pri   0 (most urgent) .. 4294967295
     * @param delay how long the job stays delayed before it is ready
     * @param ttr   time to run: how long a worker may hold it before it is handed to another (at least 1 s)
     * @return the new job's id
     * @throws JobTooBigException  if the body exceeds the broker's max job size
     * @throws DrainingException   if the broker is draining
     * @throws BuriedException     if the broker buried it for lack of memory (carries the id)
     * @throws OutOfMemoryException if the broker cannot store it
     */
    public long put(long pri, Duration delay, Duration ttr, byte[] body) {
        Protocol.Put put = Protocol.put(pri, delay, ttr, body);
        return put.id(exchange(put)); // as execute, without boxing the id
    }

    /** Puts with priority {@value #DEFAULT_PRIORITY}, no delay and a 60 s TTR. */
    public long put(byte[] body) {
        return put(DEFAULT_PRIORITY, Duration.ZERO, DEFAULT_TTR, body);
    }

    /** {@code use}: later puts, peeks and kicks go to {@code tube}. Returns the tube name. */
    public String use(String tube) {
        return execute(Protocol.use(tube));
    }

    // ---- worker

    /**
     * Reserves a job from the watched tubes, waiting as long as it takes.
     *
     * @throws DeadlineSoonException if a job this connection holds is within 1 s of its TTR
     * @throws TimedOutException     if the broker ends the wait (beanstalkd: on a half-closed connection)
     */
    public Job reserve() {
        return execute(Protocol.reserve());
    }

    /**
     * Reserves a job, waiting at most {@code timeout} (whole seconds, rounded up; zero polls). This is beanstalkd's
     * {@code reserve-with-timeout} whatever the timeout; for a sub-second wait on Sluice use {@link #reserveEx}.
     *
     * @return the job, or empty on {@code TIMED_OUT}
     * @throws DeadlineSoonException if a job this connection holds is within 1 s of its TTR
     */
    public Optional<Job> reserve(Duration timeout) {
        return execute(Protocol.reserve(timeout));
    }

    /**
     * Reserves a specific ready, delayed or buried job of any tube.
     *
     * @throws NotFoundException if there is no such job or it is reserved
     */
    public Job reserveJob(long id) {
        return execute(Protocol.reserveJob(id));
    }

    /** @throws NotFoundException if there is no such job, or it is reserved by another connection */
    public void delete(long id) {
        execute(Protocol.delete(id));
    }

    /**
     * Releases a job this connection reserved back to ready (or delayed, with a delay in whole seconds, rounded up:
     * beanstalkd's {@code release} whatever the delay; for a sub-second delay on Sluice use {@link #releaseEx}).
     *
     * @throws NotFoundException  unless this connection holds the job
     * @throws BuriedException    if the broker buried it instead: for lack of memory, or (Sluice) at its reserve limit
     * @throws CancelledException (Sluice) if the job was cancelled while reserved: it is gone
     */
    public void release(long id, long pri, Duration delay) {
        execute(Protocol.release(id, pri, delay));
    }

    /**
     * @throws NotFoundException  unless this connection holds the job
     * @throws CancelledException (Sluice) if the job was cancelled while reserved: it is gone
     */
    public void bury(long id, long pri) {
        execute(Protocol.bury(id, pri));
    }

    /**
     * Restarts the job's TTR.
     *
     * @throws NotFoundException  unless this connection holds the job
     * @throws CancelledException (Sluice) if the job was cancelled while reserved: it is gone, stop working on it
     */
    public void touch(long id) {
        execute(Protocol.touch(id));
    }

    /** Adds a tube to the watch list; returns how many tubes are watched. */
    public int watch(String tube) {
        return execute(Protocol.watch(tube));
    }

    /**
     * Removes a tube from the watch list; returns how many tubes are watched.
     *
     * @throws NotIgnoredException if it is the only watched tube
     */
    public int ignore(String tube) {
        return execute(Protocol.ignore(tube));
    }

    // ---- inspection

    /** Any job by id, in any state and tube. */
    public Optional<Job> peek(long id) {
        return execute(Protocol.peek(id));
    }

    /** The job {@code reserve} would take next from the used tube. */
    public Optional<Job> peekReady() {
        return execute(Protocol.peekReady());
    }

    /** The delayed job of the used tube that becomes ready soonest. */
    public Optional<Job> peekDelayed() {
        return execute(Protocol.peekDelayed());
    }

    /** The oldest buried job of the used tube. */
    public Optional<Job> peekBuried() {
        return execute(Protocol.peekBuried());
    }

    /**
     * In the used tube, kicks up to {@code bound} buried jobs, or if none is buried, up to {@code bound} delayed
     * jobs, to ready. Returns how many were kicked.
     */
    public int kick(int bound) {
        return execute(Protocol.kick(bound));
    }

    /** Kicks one buried or delayed job of any tube. @throws NotFoundException otherwise */
    public void kickJob(long id) {
        execute(Protocol.kickJob(id));
    }

    /** @throws NotFoundException if there is no such job */
    public JobStats statsJob(long id) {
        return execute(Protocol.statsJob(id));
    }

    /** @throws NotFoundException if the tube does not exist */
    public TubeStats statsTube(String tube) {
        return execute(Protocol.statsTube(tube));
    }

    public ServerStats stats() {
        return execute(Protocol.stats());
    }

    /** Every existing tube. */
    public List<String> listTubes() {
        return execute(Protocol.listTubes());
    }

    /** The used tube, as the broker reports it. */
    public String listTubeUsed() {
        return execute(Protocol.listTubeUsed());
    }

    /** The watch list, as the broker reports it. */
    public List<String> listTubesWatched() {
        return execute(Protocol.listTubesWatched());
    }

    /**
     * Holds back {@code reserve} on a tube for {@code pause} (zero ends a pause).
     *
     * @throws NotFoundException if the tube does not exist
     */
    public void pauseTube(String tube, Duration pause) {
        execute(Protocol.pauseTube(tube, pause));
    }

    // ---- Sluice extensions (PROTOCOL.md §7). Sluice only: beanstalkd answers each of these with
    // UnknownCommandException or BadFormatException. Their durations have millisecond precision (rounded up).

    /**
     * Puts a job into the used tube with Sluice's options ({@code put-ex}): a unique key, a TTL, what expiry does, a
     * reserve limit. Its delay and TTR are sent to the millisecond. With a key this is idempotent: if a live job, or
     * a finished one still retained, has the key, nothing is created and the result carries that job's id
     * ({@link PutResult#existed()}); so a put whose reply was lost ({@link ConnectionLostException}) can be retried.
     *
     * @param pri     0 (most urgent) .. 4294967295
     * @param delay   how long the job stays delayed before it is ready (ms precision)
     * @param ttr     time to run (raised to 1 s by the broker if below)
     * @param options the options; {@link PutOptions#none()} for none
     * @return the new job's id, or the existing one's
     * @throws JobTooBigException   if the body exceeds the broker's max job size
     * @throws DrainingException    if the broker is draining
     * @throws OutOfMemoryException if the broker cannot store it
     * @throws UnknownCommandException if the broker is not Sluice: the connection is then dropped (beanstalkd reads
     *                                 the body as commands), and jobs this client had reserved go back to ready
     */
    public PutResult put(long pri, Duration delay, Duration ttr, byte[] body, PutOptions options) {
        return execute(ExtProtocol.putEx(pri, delay, ttr, body, options));
    }

    /** The live job holding {@code key}, in any state and tube; empty if none. */
    public Optional<Job> peekKey(String key) {
        return execute(ExtProtocol.peekKey(key));
    }

    /**
     * Deletes the job holding {@code key}, as {@link #delete(long)} would that job.
     *
     * @throws NotFoundException if no live job has the key, or it is reserved by another connection
     */
    public void deleteKey(String key) {
        execute(ExtProtocol.deleteKey(key));
    }

    /** The state of a live job, or of a finished one the broker still retains (how it ended); else empty. */
    public Optional<JobState> jobState(long id) {
        return execute(ExtProtocol.jobState(id));
    }

    /** {@link #jobState(long)} of the job holding {@code key} (live, or finished and retained); else empty. */
    public Optional<JobState> jobStateByKey(String key) {
        return execute(ExtProtocol.jobStateByKey(key));
    }

    /**
     * Cancels a job, from any connection: a ready, delayed or buried job is gone at once
     * ({@link Cancellation#CANCELLED}); a reserved one is marked ({@link Cancellation#CANCELLING}) and ends when its
     * worker next touches, releases or buries it (which then gets {@link CancelledException}).
     *
     * @throws NotFoundException if there is no live job with this id
     */
    public Cancellation cancel(long id) {
        return execute(ExtProtocol.cancel(id));
    }

    /** {@link #cancel(long)} of the job holding {@code key}. @throws NotFoundException if no live job has it */
    public Cancellation cancelByKey(String key) {
        return execute(ExtProtocol.cancelByKey(key));
    }

    /**
     * One page of {@code tube}'s jobs in a live {@code state}, in id order: those with an id above {@code afterId},
     * at most {@code limit}. Start with {@code afterId} 0, then pass {@link JobPage#next()} until it is 0. A tube
     * that does not exist has no jobs: an empty last page. Changes nothing.
     *
     * @param state {@code READY}, {@code DELAYED}, {@code RESERVED} or {@code BURIED}
     * @param limit 1 .. 1000
     */
    public JobPage listJobs(String tube, JobState.State state, int limit, long afterId) {
        return execute(ExtProtocol.listJobs(tube, state, limit, afterId));
    }

    /**
     * Deletes every ready, delayed and buried job of {@code tube} (reserved ones stay with their workers). Returns
     * how many went; 0 for a tube that does not exist.
     */
    public long clearTube(String tube) {
        return execute(ExtProtocol.clearTube(tube));
    }

    /**
     * Sets {@code tube}'s reserve limit (0: none, the default), kept by name even while the tube does not exist: a
     * job reserved this many times whose reservation ends without a delete is buried instead of requeued (its
     * {@code release} then throws {@link BuriedException}). A job's own {@link PutOptions.Builder#maxReserves} wins.
     */
    public void setTubeMaxReserves(String tube, long maxReserves) {
        execute(ExtProtocol.tubeSetMaxReserves(tube, maxReserves));
    }

    /** {@code tube}'s reserve limit as set by {@link #setTubeMaxReserves} (0: none), existing tube or not. */
    public long tubeMaxReserves(String tube) {
        return execute(ExtProtocol.tubeMaxReserves(tube));
    }

    /**
     * {@link #release(long, long, Duration)} with the delay to the millisecond ({@code release-ex}). The plain
     * {@code release} stays beanstalkd's command, in whole seconds rounded up, so that it works on both brokers.
     *
     * @throws NotFoundException  unless this connection holds the job
     * @throws BuriedException    if the job reached its reserve limit and was buried instead
     * @throws CancelledException if the job was cancelled while reserved (it is gone)
     */
    public void releaseEx(long id, long pri, Duration delay) {
        execute(ExtProtocol.releaseEx(id, pri, delay));
    }

    /**
     * {@link #reserve(Duration)} with the timeout to the millisecond ({@code reserve-ex}): {@code reserveEx(100 ms)}
     * waits 100 ms, where {@code reserve(100 ms)} sends beanstalkd's {@code reserve-with-timeout 1}.
     *
     * @return the job, or empty on {@code TIMED_OUT}
     * @throws DeadlineSoonException if a job this connection holds is within 1 s of its TTR
     */
    public Optional<Job> reserveEx(Duration timeout) {
        return execute(ExtProtocol.reserveEx(timeout));
    }

    /**
     * Adds (or replaces) the schedule {@code name} of the used tube: each firing puts an ordinary job with this
     * priority, TTR and body into the tube. Firings missed while the broker could not put fire once, as soon as it
     * can.
     *
     * @param spec a 5-field cron expression ({@code "0 3 * * 1-5"}), a macro ({@code "@daily"}) or
     *             {@code "@every 500ms"} (from now on, every interval)
     * @param zone the time zone of cron expressions and macros; null for the broker's default, UTC
     * @throws BadFormatException      if the broker rejects the spec or the zone
     * @throws UnknownCommandException if the broker is not Sluice (the connection is dropped, as for
     *                                 {@link #put(long, Duration, Duration, byte[], PutOptions)})
     */
    public void scheduleAdd(String name, long pri, Duration ttr, byte[] body, String spec, ZoneId zone) {
        execute(ExtProtocol.scheduleAdd(name, pri, ttr, body, spec, zone));
    }

    /** {@link #scheduleAdd(String, long, Duration, byte[], String, ZoneId)} in UTC. */
    public void scheduleAdd(String name, long pri, Duration ttr, byte[] body, String spec) {
        scheduleAdd(name, pri, ttr, body, spec, null);
    }

    /** Removes the schedule {@code name} of the used tube. @throws NotFoundException if there is none */
    public void scheduleRemove(String name) {
        execute(ExtProtocol.scheduleRemove(name));
    }

    /** Every schedule of every tube, by tube then name. */
    public List<Schedule> scheduleList() {
        return execute(ExtProtocol.scheduleList());
    }

    /** The extensions' counters (keys, finished jobs, cancels, expiries, schedules). */
    public ExtStats statsExt() {
        return execute(ExtProtocol.statsExt());
    }

    // ---- state

    /** The used tube as last confirmed by the broker (no round trip); re-applied on reconnect. */
    public String usedTube() {
        return session.used();
    }

    /** The watch list as last confirmed by the broker (no round trip); re-applied on reconnect. */
    public List<String> watchedTubes() {
        return session.watched();
    }

    /** Whether a connection is open (false after a loss until the next call reconnects, and after close). */
    public boolean isConnected() {
        return wire != null && !closed;
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    /** Sends {@code quit} and closes the connection. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (wire != null) {
            wire.quietQuit();
            wire.close();
            wire = null;
        }
    }

    <T> T execute(Request<T> request) {
        return request.decode(exchange(request), session);
    }

    /** Sends {@code request} and reads its reply (reconnecting first if needed); the reply is not yet decoded. */
    private Reply exchange(Request<?> request) {
        if (closed) {
            throw new IllegalStateException("client is closed");
        }
        if (wire != null && System.nanoTime() - lastIoNanos > PROBE_IDLE_NANOS && !wire.probe()) {
            wire.close();
            wire = null;
        }
        if (wire == null) {
            wire = Wire.connect(config, session, () -> closed || cancelled.getAsBoolean());
        }
        Wire w = wire;
        Reply reply;
        try {
            w.send(request);
            w.flush();
            reply = w.read(request.readTimeoutMs(config.readTimeout().toMillis()));
        } catch (IOException e) {
            w.close();
            wire = null;
            String why = e instanceof SocketTimeoutException ? "no reply within the read timeout" : e.toString();
            throw new ConnectionLostException(request.text() + ": connection to " + Wire.where(config) + " lost ("
                    + why + "); the command was not re-sent", e);
        } finally {
            lastIoNanos = System.nanoTime();
        }
        if (request.outOfStep(reply)) {
            w.close(); // the broker reads the body as commands: their replies must not answer later ones
            wire = null;
        }
        return reply;
    }
}
