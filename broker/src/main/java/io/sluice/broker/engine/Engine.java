package io.sluice.broker.engine;

import io.sluice.broker.protocol.Command;
import io.sluice.broker.protocol.JobState;
import io.sluice.broker.protocol.ProtocolLimits;
import io.sluice.broker.protocol.Reply;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;

/**
 * All queue state and beanstalkd's semantics: tubes, jobs, reservations, timers. Deterministic: time comes from
 * the injected {@link Clock}, read once per entry point, and nothing here blocks or spawns threads.
 *
 * <p>Thread rule: engine thread only (see {@link EngineRunner}); tests drive it directly. No locks.
 */
public final class Engine {
    static final long SECOND = 1_000_000_000L;
    /** beanstalkd's fixed safety margin before a reserved job's TTR runs out. */
    static final long SAFETY_MARGIN = SECOND;

    private final Clock clock;
    final EngineStats stats;
    final io.sluice.broker.log.IdMap<Job> jobs = new io.sluice.broker.log.IdMap<>();
    final HashMap<String, Tube> tubes = new HashMap<>();
    /** list-tubes order; removal swaps the last tube in (beanstalkd's {@code ms_delete}). */
    final ArrayList<Tube> tubeList = new ArrayList<>();
    final Tube defaultTube;
    /** Delayed jobs (until ready) and reserved jobs (until TTR), one heap. */
    private final IndexedHeap<Job> deadlines = new IndexedHeap<>(Job.DEADLINE_ORDER, Job.TIMER_SLOT);
    private final IndexedHeap<Client> wakeups = new IndexedHeap<>(
            (a, b) -> Long.compare(a.wakeAt, b.wakeAt), Client.WAIT_SLOT);
    private final IndexedHeap<Tube> pauses = new IndexedHeap<>(
            (a, b) -> Long.compare(a.unpauseAt, b.unpauseAt), Tube.PAUSE_SLOT);
    private final ArrayList<Client> dirty = new ArrayList<>();
    /** Clients whose reserve ended while commands waited behind it; run once the current step is done. */
    private final ArrayDeque<Client> resumable = new ArrayDeque<>();

    long now;
    private long nextId = 1;
    boolean draining;

    /** The durable log, or null in memory. */
    Journal journal;

    /** The extensions' state and commands (PROTOCOL.md §7). */
    final Extensions ext;
    /** The jobs' maker while the log is read at start-up (see {@link #replay}), or null. */
    private RecoveredJobs replay;

    /** A reply waiting for the log to be durable up to {@code position} (fsync always). */
    private record Held(Client client, Reply reply, long position) { }

    private final ArrayDeque<Held> held = new ArrayDeque<>();

    public Engine(Clock clock, long maxJobSize, long binlogMaxSize, ServerInfo info) {
        this.clock = clock;
        this.now = clock.nanos();
        this.stats = new EngineStats(this, info, maxJobSize, binlogMaxSize, now);
        this.ext = new Extensions(this, clock);
        this.defaultTube = findOrMakeTube("default");
    }

    /** Finished-job retention (PROTOCOL.md §7.5); call before any client. */
    public void retention(long millis, int max) {
        ext.finished.configure(millis, max);
    }

    // ---------------------------------------------------------------- durability

    /**
     * What recovery calls to make this engine's jobs while it reads the log (see {@link RecoveredJobs}); pass its
     * result to {@link #restore}. Call before any client, on the thread that then calls restore.
     */
    public io.sluice.broker.log.Recovery.Replay<?> replay() {
        now = clock.nanos();
        replay = new RecoveredJobs(this, now, clock.wallMillis());
        return replay;
    }

    /**
     * Places the jobs recovery found (made by {@link #replay}) and attaches the log; call before any client. Reserved
     * jobs were logged in their previous state, so they come back ready (or buried / delayed); ids continue from the
     * log's mark.
     */
    public void restore(io.sluice.broker.log.Recovery.Result<?> recovered, io.sluice.broker.log.LogWriter writer,
                        io.sluice.broker.config.FsyncPolicy policy, long segmentSize, long firstNewSegment) {
        if (replay == null) {
            throw new IllegalStateException("recover the log with this engine's replay() first");
        }
        @SuppressWarnings("unchecked") // replay() made every element (its Replay<DurableJob>)
        java.util.List<DurableJob> found = (java.util.List<DurableJob>) recovered.jobs();
        now = clock.nanos();
        Journal jn = new Journal(writer, policy.holdsReplies(), segmentSize, clock::wallMillis);
        java.util.HashMap<Long, Journal.Segment> bySeq = new java.util.HashMap<>();
        for (io.sluice.broker.log.Recovery.Segment s : recovered.segments()) {
            bySeq.put(s.sequence(), jn.recovered(replay.segment(s.sequence()), s.bytes()));
        }
        jn.opened(firstNewSegment);
        long wall = clock.wallMillis();
        java.util.List<Job> cancelled = new ArrayList<>();
        for (DurableJob j : found) {
            jobs.put(j.id, j);
            if (j.ext() != null) {
                ext.added(j);
                if (j.cancelRequested()) {
                    cancelled.add(j);
                }
            }
            jn.anchorRecovered(j, j.anchor(), j.anchorBytes());
            Tube t = j.tube;
            if (j.loggedState() == io.sluice.broker.log.LogFormat.BURIED) {
                j.state(JobState.BURIED);
                t.buried.append(j);
                stats.buried++;
            } else if (j.loggedState() == io.sluice.broker.log.LogFormat.DELAYED && j.loggedReadyAt() > wall) {
                enqueue(j, (j.loggedReadyAt() - wall) * 1_000_000);
            } else {
                enqueue(j, 0);
            }
        }
        replay = null;
        nextId = Math.max(nextId, recovered.nextJobId());
        journal = jn;
        ext.restore(recovered, bySeq, wall, cancelled);
        maybeFreeAll();
    }

    private void maybeFreeAll() {
        for (Tube t : new ArrayList<>(tubeList)) {
            maybeFree(t);
        }
    }

    /** The id the next put gets; the log writes it into each new segment's header. */
    public long nextId() {
        return nextId;
    }

    /** Sends the replies whose records are now durable. Called by the runner each cycle. */
    public void releaseDurable() {
        if (held.isEmpty()) {
            return;
        }
        long durable = journal.durablePosition();
        Held h;
        while ((h = held.peek()) != null && h.position <= durable) {
            held.poll();
            Client c = h.client;
            c.held--;
            send(c, h.reply);
            if (c.held == 0 && c.closeWhenSent) {
                c.closeWhenSent = false;
                c.sink.close();
            }
        }
    }

    /** Whether commands should wait for the log to prepare its next segment (see {@link Journal}). */
    public boolean waitingForLog() {
        return journal != null && journal.nextSegmentPending();
    }

    /** Whether replies wait for the log to make their records durable (fsync always). */
    public boolean awaitsDurability() {
        return !held.isEmpty();
    }

    /** Whether a held reply can go out now (the runner re-checks this before it sleeps). */
    public boolean releasable() {
        Held h = held.peek();
        return h != null && h.position <= journal.durablePosition();
    }

    // ---------------------------------------------------------------- entry points

    public void open(Client c) {
        now = clock.nanos();
        c.open = true;
        c.use = defaultTube;
        defaultTube.usingCount++;
        c.watching.add(defaultTube);
        defaultTube.watchingCount++;
        stats.currentConnections++;
        stats.totalConnections++;
    }

    public void command(Client c, Command cmd) {
        now = clock.nanos();
        if (!c.open) {
            return;
        }
        if (c.waiting || !c.backlog.isEmpty()) {
            c.backlog.add(cmd);
            return;
        }
        execute(c, cmd);
        resume();
        if (journal != null) {
            journal.compact(now, nextId);
        }
    }

    /** The peer half-closed: a pending reserve ends with TIMED_OUT, queued commands run, then the close. */
    public void inputClosed(Client c) {
        now = clock.nanos();
        if (!c.open) {
            return;
        }
        c.inputClosed = true;
        if (c.waiting) {
            stopWaiting(c);
            reply(c, Reply.TIMED_OUT);
        }
        runBacklog(c);
        resume();
    }

    /** The connection is gone: its reserved jobs return to ready at once, as beanstalkd does. */
    public void closed(Client c) {
        now = clock.nanos();
        closeClient(c);
        resume();
    }

    /** SIGUSR1: from now on every put is refused with DRAINING. */
    public void drain() {
        draining = true;
    }

    /** Fires every timer that is due. Returns when the next one is due (engine clock), or Long.MAX_VALUE. */
    public long tick() {
        now = clock.nanos();
        Job j;
        while ((j = deadlines.peek()) != null && j.deadline <= now) {
            deadlines.poll();
            if (j.state() == JobState.DELAYED) {
                j.tube.delayed.remove(j);
                stats.delayed--;
                enqueue(j, 0);
            } else {
                Client owner = j.reserver;
                removeReserved(j);
                j.countTimeout();
                stats.jobTimeouts++;
                reservationEnded(j, 0, false);
                rescheduleWake(owner);
            }
        }
        Tube t;
        while ((t = pauses.peek()) != null && t.unpauseAt <= now) {
            unpause(t);
        }
        Client c;
        while ((c = wakeups.peek()) != null && c.wakeAt <= now) {
            wakeups.poll();
            if (deadlineSoon(c)) {
                stopWaiting(c);
                reply(c, Reply.DEADLINE_SOON);
            } else if (c.waitTimeoutAt <= now) {
                stopWaiting(c);
                reply(c, Reply.TIMED_OUT);
            } else {
                rescheduleWake(c);
            }
        }
        long next = ext.tick(now);
        resume();
        if ((j = deadlines.peek()) != null) {
            next = Math.min(next, j.deadline);
        }
        if ((t = pauses.peek()) != null) {
            next = Math.min(next, t.unpauseAt);
        }
        if ((c = wakeups.peek()) != null) {
            next = Math.min(next, c.wakeAt);
        }
        return next;
    }

    /** Ends the batch: every connection that got replies since the last call is flushed once. */
    public void flush() {
        for (int i = 0; i < dirty.size(); i++) {
            Client c = dirty.get(i);
            c.dirty = false;
            c.sink.flush();
        }
        dirty.clear();
    }

    // ---------------------------------------------------------------- dispatch

    private void execute(Client c, Command cmd) {
        if (cmd instanceof Command.Put p) {
            put(c, p);
        } else if (cmd instanceof Command.Reserve r) {
            reserve(c, r);
        } else if (cmd instanceof Command.Delete d) {
            delete(c, d.id());
        } else if (cmd instanceof Command.Release r) {
            release(c, r);
        } else if (cmd instanceof Command.Bury b) {
            bury(c, b);
        } else if (cmd instanceof Command.Touch t) {
            touch(c, t.id());
        } else if (cmd instanceof Command.ReserveJob r) {
            reserveJob(c, r.id());
        } else if (cmd instanceof Command.Use u) {
            use(c, u.tube());
        } else if (cmd instanceof Command.Watch w) {
            watch(c, w.tube());
        } else if (cmd instanceof Command.Ignore i) {
            ignore(c, i.tube());
        } else if (cmd instanceof Command.Peek p) {
            stats.count(Op.PEEK);
            Job j = jobs.get(p.id());
            reply(c, j == null ? Reply.NOT_FOUND : new Reply.JobBody(false, j.id, j.body));
        } else if (cmd instanceof Command.PeekState p) {
            peekState(c, p.state());
        } else if (cmd instanceof Command.Kick k) {
            kick(c, k.bound());
        } else if (cmd instanceof Command.KickJob k) {
            kickJob(c, k.id());
        } else if (cmd instanceof Command.StatsJob s) {
            stats.count(Op.STATS_JOB);
            Job j = jobs.get(s.id());
            reply(c, j == null ? Reply.NOT_FOUND : new Reply.Ok(stats.job(j)));
        } else if (cmd instanceof Command.StatsTube s) {
            stats.count(Op.STATS_TUBE);
            Tube t = tubes.get(s.tube());
            reply(c, t == null ? Reply.NOT_FOUND : new Reply.Ok(stats.tube(t)));
        } else if (cmd instanceof Command.Stats) {
            stats.count(Op.STATS);
            reply(c, new Reply.Ok(stats.global()));
        } else if (cmd instanceof Command.ListTubes) {
            stats.count(Op.LIST_TUBES);
            reply(c, new Reply.Ok(EngineStats.list(tubeList)));
        } else if (cmd instanceof Command.ListTubeUsed) {
            stats.count(Op.LIST_TUBE_USED);
            reply(c, new Reply.Using(c.use.name));
        } else if (cmd instanceof Command.ListTubesWatched) {
            stats.count(Op.LIST_TUBES_WATCHED);
            reply(c, new Reply.Ok(EngineStats.list(c.watching)));
        } else if (cmd instanceof Command.StatsLog) {
            reply(c, new Reply.Ok(journal == null ? EngineStats.noLog() : journal.statsYaml()));
        } else if (cmd instanceof Command.PauseTube p) {
            pauseTube(c, p);
        } else if (cmd instanceof Command.Invalid inv) {
            if (inv.countedAs() == Command.Counted.PUT) {
                stats.count(Op.PUT);
            } else if (inv.countedAs() == Command.Counted.PAUSE_TUBE) {
                stats.count(Op.PAUSE_TUBE);
            }
            reply(c, inv.reply());
        } else if (cmd instanceof Command.PutAbandoned) {
            stats.count(Op.PUT);
            markProducer(c);
            nextId++;
        } else if (cmd instanceof Command.PutTooBigAbandoned) {
            stats.count(Op.PUT); // counted at the header, before the size check
        } else if (cmd instanceof Command.PutBadBody) {
            stats.count(Op.PUT);
            markProducer(c);
            nextId++; // beanstalkd allocated the id when the header arrived
            reply(c, Reply.EXPECTED_CRLF);
        } else if (cmd instanceof Command.Quit) {
            closeClient(c);
            closeSink(c);
        } else if (!ext.execute(c, cmd)) {
            reply(c, Reply.INTERNAL_ERROR);
        }
    }

    // ---------------------------------------------------------------- producer commands

    private void put(Client c, Command.Put p) {
        stats.count(Op.PUT);
        markProducer(c);
        // beanstalkd raises a TTR below 1 s to 1 s
        Job j = putJob(c, c.use, p.pri(), p.delaySeconds() * SECOND, Math.max(p.ttrSeconds(), 1) * SECOND, p.body(),
                null);
        if (j != null) {
            reply(c, new Reply.Numbered(Reply.NumberedWord.INSERTED, j.id));
        }
    }

    /**
     * Creates a job (put, put-ex, a schedule's firing). Returns it, or null after replying DRAINING or
     * OUT_OF_MEMORY to {@code c} (null for a firing: nothing is replied). The id is spent either way, as beanstalkd.
     */
    Job putJob(Client c, Tube t, long pri, long delay, long ttr, byte[] body, JobExt x) {
        long id = nextId++;
        if (draining) {
            if (c != null) {
                reply(c, Reply.DRAINING);
            }
            return null;
        }
        // only a broker with a log needs a job's anchor in it (16 bytes a job)
        Job j = journal != null ? new DurableJob(id, t, pri, delay, ttr, body, now)
                : new Job(id, t, pri, delay, ttr, body, now);
        j.ext(x);
        if (journal != null && !journal.canAppend(Journal.jobRecordSize(j), false)) {
            if (c != null) {
                reply(c, Reply.OUT_OF_MEMORY); // disk full: nothing changes, the id is spent (as beanstalkd)
            }
            return null;
        }
        jobs.put(j.id, j);
        t.totalJobs++;
        stats.totalJobs++;
        if (x != null) {
            ext.added(j);
        }
        if (journal != null) {
            // state as put: a waiting worker may reserve it at once, which the log does not record
            j.state(delay > 0 ? JobState.DELAYED : JobState.READY);
            j.deadline = now + delay;
            journal.writeJob(j, now, nextId);
        }
        enqueue(j, delay);
        return j;
    }

    private void use(Client c, String name) {
        stats.count(Op.USE);
        Tube t = findOrMakeTube(name);
        Tube old = c.use;
        c.use = t;
        t.usingCount++;
        old.usingCount--;
        maybeFree(old);
        reply(c, new Reply.Using(t.name));
    }

    // ---------------------------------------------------------------- worker commands

    private void reserve(Client c, Command.Reserve r) {
        reserve(c, r.hasTimeout() ? r.timeoutSeconds() * SECOND : -1,
                r.withTimeout() ? Op.RESERVE_WITH_TIMEOUT : Op.RESERVE);
    }

    /** reserve-ex; timeout in ns, -1 for forever. */
    void reserve(Client c, long timeout) {
        reserve(c, timeout, timeout >= 0 ? Op.RESERVE_WITH_TIMEOUT : Op.RESERVE);
    }

    /** reserve (timeout -1: forever), reserve-with-timeout, reserve-ex; timeout in ns; counted as {@code op}. */
    private void reserve(Client c, long timeout, Op op) {
        stats.count(op);
        markWorker(c);
        if (deadlineSoon(c) && !anyReady(c)) {
            reply(c, Reply.DEADLINE_SOON);
            return;
        }
        Job best = null;
        for (int i = 0; i < c.watching.size(); i++) {
            Tube t = c.watching.get(i);
            Job top = t.ready.peek();
            if (top != null && !t.paused() && (best == null || Job.READY_ORDER.compare(top, best) < 0)) {
                best = top;
            }
        }
        if (best != null) {
            removeReady(best);
            reserveFor(c, best);
            return;
        }
        if (timeout == 0 || c.inputClosed) {
            reply(c, deadlineSoon(c) && !c.inputClosed ? Reply.DEADLINE_SOON : Reply.TIMED_OUT);
            return;
        }
        c.waiting = true;
        stats.waiting++;
        for (int i = 0; i < c.watching.size(); i++) {
            c.watching.get(i).waiting.add(c);
        }
        c.waitTimeoutAt = timeout >= 0 ? now + timeout : Long.MAX_VALUE;
        rescheduleWake(c);
    }

    private void reserveJob(Client c, long id) {
        stats.count(Op.RESERVE_JOB);
        Job j = jobs.get(id);
        if (j == null || j.state() == JobState.RESERVED) {
            reply(c, Reply.NOT_FOUND);
            return;
        }
        removeFromState(j);
        markWorker(c);
        reserveFor(c, j);
    }

    private void delete(Client c, long id) {
        delete(c, jobs.get(id));
    }

    /** delete and delete-key: by anyone unless reserved by another connection; by its reserver it completes. */
    void delete(Client c, Job j) {
        stats.count(Op.DELETE);
        if (j == null || (j.state() == JobState.RESERVED && j.reserver != c)) {
            reply(c, Reply.NOT_FOUND);
            return;
        }
        if (!logRoom(Journal.deleteRecordSize(j, ext.finished.retains()), true)) {
            reply(c, Reply.INTERNAL_ERROR);
            return;
        }
        j.tube.cmdDelete++;
        FinishKind kind = j.state() == JobState.RESERVED ? FinishKind.COMPLETED : FinishKind.DELETED;
        removeFromState(j);
        finish(j, kind);
        reply(c, Reply.DELETED);
    }

    /**
     * Removes a job that is in no state any more ({@link #removeFromState} done): forgets it, remembers how it
     * finished (retention), logs the delete. A change the engine makes by itself (expiry, a cancelled job's TTR)
     * may find the disk full: it then happens in memory only, and recovery repeats it (the job's TTL or cancel mark
     * is in the log).
     */
    void finish(Job j, FinishKind kind) {
        jobs.remove(j.id);
        Finished f = ext.finishing(j, kind);
        if (journal != null) {
            if (journal.canAppend(Journal.deleteRecordSize(j, f != null), true)) {
                journal.writeDelete(j, f, nextId);
            } else {
                journal.forget(j);
            }
        }
        maybeFree(j.tube);
    }

    private void release(Client c, Command.Release r) {
        release(c, r.id(), r.pri(), r.delaySeconds() * SECOND);
    }

    /** release and release-ex; delay in ns. */
    void release(Client c, long id, long pri, long delay) {
        stats.count(Op.RELEASE);
        Job j = reservedBy(c, id);
        if (j == null) {
            reply(c, Reply.NOT_FOUND);
            return;
        }
        if (!logRoom(Math.max(Journal.stateRecordSize(j), Journal.deleteRecordSize(j, true)), false)) {
            reply(c, Reply.OUT_OF_MEMORY); // the job stays reserved, unchanged
            return;
        }
        removeReserved(j);
        j.pri(pri);
        j.delay(delay);
        j.countRelease();
        Ended how = reservationEnded(j, j.delay(), true);
        reply(c, how == Ended.CANCELLED ? Reply.CANCELLED : how == Ended.BURIED ? Reply.BURIED : Reply.RELEASED);
    }

    /** What became of a job whose reservation ended without a delete. */
    enum Ended { REQUEUED, BURIED, CANCELLED, EXPIRED }

    /**
     * A reservation ended without a delete (release, TTR, disconnect; the job is detached): a cancelled job is
     * finished, a job whose TTL ran out meanwhile expires, a job over its reserve limit is buried, any other goes
     * back to ready or delayed. Logs what it changed; a return to ready by TTR or disconnect needs no record
     * ({@code logRequeue} false: reservations are never logged), a release does (its priority and delay).
     */
    Ended reservationEnded(Job j, long delay, boolean logRequeue) {
        JobExt x = j.ext();
        if (x != null && x.cancelRequested) {
            finish(j, FinishKind.CANCELLED);
            return Ended.CANCELLED;
        }
        boolean expired = x != null && x.expired;
        if (expired) {
            ext.expiryTakesEffect(x);
            if (!x.onExpireBury) {
                finish(j, FinishKind.EXPIRED);
                return Ended.EXPIRED;
            }
        }
        long limit = x != null && x.maxReserves >= 0 ? x.maxReserves : j.tube.maxReserves;
        if (expired || (limit > 0 && j.reserves() >= limit)) {
            if (!expired) {
                ext.autoBuried++;
            }
            buryJob(j);
            logStateIfRoom(j);
            return Ended.BURIED;
        }
        enqueue(j, delay);
        if (logRequeue) {
            logStateIfRoom(j);
        }
        return Ended.REQUEUED;
    }

    void logStateIfRoom(Job j) {
        if (journal != null && journal.canAppend(Journal.stateRecordSize(j), false)) {
            logState(j);
        }
    }

    void buryJob(Job j) {
        j.state(JobState.BURIED);
        j.tube.buried.append(j);
        stats.buried++;
        j.countBury();
    }

    private void bury(Client c, Command.Bury b) {
        stats.count(Op.BURY);
        Job j = reservedBy(c, b.id());
        if (j == null) {
            reply(c, Reply.NOT_FOUND);
            return;
        }
        if (!logRoom(Math.max(Journal.stateRecordSize(j), Journal.deleteRecordSize(j, true)), false)) {
            reply(c, Reply.INTERNAL_ERROR); // as beanstalkd; the job stays reserved, unchanged
            return;
        }
        removeReserved(j);
        j.pri(b.pri());
        JobExt x = j.ext();
        if (x != null && x.cancelRequested) {
            finish(j, FinishKind.CANCELLED);
            reply(c, Reply.CANCELLED);
            return;
        }
        if (x != null && x.expired) {
            ext.expiryTakesEffect(x);
            if (!x.onExpireBury) {
                finish(j, FinishKind.EXPIRED); // the worker's bury would keep an expired job: it goes instead
                reply(c, Reply.BURIED);
                return;
            }
        }
        buryJob(j);
        logState(j);
        reply(c, Reply.BURIED);
    }

    private void touch(Client c, long id) {
        stats.count(Op.TOUCH);
        Job j = reservedBy(c, id);
        if (j == null) {
            reply(c, Reply.NOT_FOUND);
            return;
        }
        if (j.cancelRequested()) {
            // the worker learns of the cancel here; the job is finished, it never goes back to ready
            removeReserved(j);
            finish(j, FinishKind.CANCELLED);
            reply(c, Reply.CANCELLED);
            return;
        }
        j.deadline = now + j.ttr();
        deadlines.update(j);
        reply(c, Reply.TOUCHED);
    }

    // ---------------------------------------------------------------- inspection and tube commands

    private void peekState(Client c, JobState state) {
        Tube t = c.use;
        Job j;
        if (state == JobState.READY) {
            stats.count(Op.PEEK_READY);
            j = t.ready.peek();
        } else if (state == JobState.DELAYED) {
            stats.count(Op.PEEK_DELAYED);
            j = t.delayed.peek();
        } else {
            stats.count(Op.PEEK_BURIED);
            j = t.buried.first();
        }
        reply(c, j == null ? Reply.NOT_FOUND : new Reply.JobBody(false, j.id, j.body));
    }

    /** Buried jobs first (oldest first); only when there are none, delayed jobs (soonest first). */
    private void kick(Client c, long bound) {
        stats.count(Op.KICK);
        Tube t = c.use;
        long n = 0;
        if (t.buried.size() > 0) {
            Job j;
            while (n < bound && (j = t.buried.first()) != null && logRoom(Journal.stateRecordSize(j), false)) {
                kickJob(j);
                n++;
            }
        } else {
            Job j;
            while (n < bound && (j = t.delayed.peek()) != null && logRoom(Journal.stateRecordSize(j), false)) {
                kickJob(j);
                n++;
            }
        }
        reply(c, new Reply.Numbered(Reply.NumberedWord.KICKED, n));
    }

    private void kickJob(Client c, long id) {
        stats.count(Op.KICK_JOB);
        Job j = jobs.get(id);
        if (j == null || (j.state() != JobState.BURIED && j.state() != JobState.DELAYED)
                || !logRoom(Journal.stateRecordSize(j), false)) {
            reply(c, Reply.NOT_FOUND); // beanstalkd answers an internal failure of kick-job this way too
            return;
        }
        kickJob(j);
        reply(c, Reply.KICKED);
    }

    private void kickJob(Job j) {
        removeFromState(j);
        j.countKick();
        enqueue(j, 0);
        logState(j);
    }

    /** Whether the log can take a record of this size now (always true in memory). */
    boolean logRoom(int bytes, boolean isDelete) {
        return journal == null || journal.canAppend(bytes, isDelete);
    }

    /**
     * Logs a job's new state (after enqueue, which may already have handed it to a waiting worker: the log then
     * records the state it had before that reservation, as reservations are not durable).
     */
    void logState(Job j) {
        if (journal != null) {
            if (j.state() == JobState.RESERVED) {
                // handed straight to a waiting worker: log the state the job entered first
                j.loggedState(io.sluice.broker.log.LogFormat.READY);
                j.loggedReadyAt(0);
            }
            journal.writeState(j, now, nextId);
        }
    }

    private void watch(Client c, String name) {
        stats.count(Op.WATCH);
        Tube t = findOrMakeTube(name);
        if (!c.watching.contains(t)) {
            c.watching.add(t);
            t.watchingCount++;
        }
        reply(c, new Reply.Numbered(Reply.NumberedWord.WATCHING, c.watching.size()));
    }

    private void ignore(Client c, String name) {
        stats.count(Op.IGNORE);
        for (int i = 0; i < c.watching.size(); i++) {
            Tube t = c.watching.get(i);
            if (t.name.equals(name)) {
                if (c.watching.size() < 2) {
                    reply(c, Reply.NOT_IGNORED);
                    return;
                }
                swapRemove(c.watching, i);
                t.watchingCount--;
                maybeFree(t);
                break;
            }
        }
        reply(c, new Reply.Numbered(Reply.NumberedWord.WATCHING, c.watching.size()));
    }

    private void pauseTube(Client c, Command.PauseTube p) {
        stats.count(Op.PAUSE_TUBE);
        Tube t = tubes.get(p.tube());
        if (t == null) {
            reply(c, Reply.NOT_FOUND);
            return;
        }
        t.cmdPauseTube++;
        if (p.delaySeconds() == 0) {
            // beanstalkd pauses for 1 ns, which is over before its next command looks: a delay of 0 unpauses now,
            // and the tube's waiters get its ready jobs.
            reply(c, Reply.PAUSED);
            unpause(t);
            return;
        }
        t.pauseDuration = p.delaySeconds() * SECOND;
        t.unpauseAt = now + t.pauseDuration;
        if (t.pauseSlot >= 0) {
            pauses.update(t);
        } else {
            pauses.add(t);
        }
        reply(c, Reply.PAUSED);
    }

    /** Ends a tube's pause (its timer, or {@code pause-tube t 0}) and hands its ready jobs to its waiters. */
    private void unpause(Tube t) {
        pauses.remove(t);
        t.pauseDuration = 0;
        t.unpauseAt = 0;
        processQueue(t);
    }

    // ---------------------------------------------------------------- job state transitions

    /** Puts a job into READY (delay 0) or DELAYED and hands ready jobs to waiting workers. */
    void enqueue(Job j, long delay) {
        j.reserver = null;
        Tube t = j.tube;
        if (delay > 0) {
            j.state(JobState.DELAYED);
            j.deadline = now + delay;
            t.delayed.add(j);
            deadlines.add(j);
            stats.delayed++;
            return;
        }
        j.state(JobState.READY);
        t.ready.add(j);
        stats.ready++;
        if (j.pri() < ProtocolLimits.URGENT_THRESHOLD) {
            t.urgentCount++;
            stats.urgent++;
        }
        processQueue(t);
    }

    /**
     * Hands ready jobs to waiting connections. A tube with waiters never keeps a ready job while it is not
     * paused, so the lowest (pri, id) across all watched tubes is always the one in the tube that just changed.
     */
    private void processQueue(Tube t) {
        while (!t.paused() && !t.waiting.isEmpty() && !t.ready.isEmpty()) {
            Client w = t.waiting.iterator().next();
            Job j = t.ready.peek();
            removeReady(j);
            reserveFor(w, j);
        }
    }

    private void reserveFor(Client c, Job j) {
        if (c.waiting) {
            stopWaiting(c);
        }
        j.state(JobState.RESERVED);
        j.reserver = c;
        j.deadline = now + j.ttr();
        j.countReserve();
        j.tube.reservedCount++;
        stats.reserved++;
        stats.reserves++;
        c.reserved.append(j);
        deadlines.add(j);
        reply(c, new Reply.JobBody(true, j.id, j.body));
    }

    void removeFromState(Job j) {
        switch (j.state()) {
            case READY:
                removeReady(j);
                break;
            case DELAYED:
                j.tube.delayed.remove(j);
                deadlines.remove(j);
                stats.delayed--;
                break;
            case BURIED:
                j.tube.buried.remove(j);
                stats.buried--;
                break;
            default:
                Client owner = j.reserver;
                removeReserved(j);
                rescheduleWake(owner);
                break;
        }
    }

    void removeReady(Job j) {
        j.tube.ready.remove(j);
        stats.ready--;
        if (j.pri() < ProtocolLimits.URGENT_THRESHOLD) {
            j.tube.urgentCount--;
            stats.urgent--;
        }
    }

    void removeReserved(Job j) {
        j.reserver.reserved.remove(j);
        deadlines.remove(j);
        j.tube.reservedCount--;
        stats.reserved--;
        j.reserver = null;
    }

    Job reservedBy(Client c, long id) {
        Job j = jobs.get(id);
        return j != null && j.state() == JobState.RESERVED && j.reserver == c ? j : null;
    }

    // ---------------------------------------------------------------- waiting and deadlines

    private Job soonestReserved(Client c) {
        Job best = null;
        for (Job j = c.reserved.first(); j != null; j = c.reserved.after(j)) {
            if (best == null || j.deadline < best.deadline) {
                best = j;
            }
        }
        return best;
    }

    private boolean deadlineSoon(Client c) {
        Job j = soonestReserved(c);
        return j != null && now >= j.deadline - SAFETY_MARGIN;
    }

    /** Any ready job in a watched tube, paused or not (beanstalkd's {@code conn_ready}). */
    private static boolean anyReady(Client c) {
        for (int i = 0; i < c.watching.size(); i++) {
            if (!c.watching.get(i).ready.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /** A waiting client wakes at its timeout or one safety margin before its soonest TTR, whichever is first. */
    void rescheduleWake(Client c) {
        if (c == null || !c.waiting) {
            return;
        }
        long at = c.waitTimeoutAt;
        Job soonest = soonestReserved(c);
        if (soonest != null) {
            at = Math.min(at, soonest.deadline - SAFETY_MARGIN);
        }
        c.wakeAt = at;
        if (wakeups.contains(c)) {
            if (at == Long.MAX_VALUE) {
                wakeups.remove(c);
            } else {
                wakeups.update(c);
            }
        } else if (at != Long.MAX_VALUE) {
            wakeups.add(c);
        }
    }

    private void stopWaiting(Client c) {
        c.waiting = false;
        stats.waiting--;
        for (int i = 0; i < c.watching.size(); i++) {
            c.watching.get(i).waiting.remove(c);
        }
        wakeups.remove(c);
        if (!c.backlog.isEmpty() || c.inputClosed) {
            resumable.add(c);
        }
    }

    /** Runs the commands that queued behind finished reserves. Not re-entrant: called at the end of a step. */
    private void resume() {
        Client c;
        while ((c = resumable.poll()) != null) {
            runBacklog(c);
        }
    }

    private void runBacklog(Client c) {
        Command cmd;
        while (c.open && !c.waiting && (cmd = c.backlog.poll()) != null) {
            execute(c, cmd);
        }
        if (c.open && c.inputClosed && !c.waiting && c.backlog.isEmpty()) {
            closeClient(c);
            closeSink(c);
        }
    }

    // ---------------------------------------------------------------- connections and tubes

    private void closeClient(Client c) {
        if (!c.open) {
            return;
        }
        c.open = false;
        if (c.waiting) {
            stopWaiting(c);
        }
        c.backlog.clear();
        Job j;
        while ((j = c.reserved.first()) != null) {
            removeReserved(j);
            reservationEnded(j, 0, false);
        }
        c.use.usingCount--;
        for (int i = 0; i < c.watching.size(); i++) {
            c.watching.get(i).watchingCount--;
        }
        maybeFree(c.use);
        for (int i = 0; i < c.watching.size(); i++) {
            maybeFree(c.watching.get(i));
        }
        c.watching.clear();
        stats.currentConnections--;
        if (c.producer) {
            stats.producers--;
        }
        if (c.worker) {
            stats.workers--;
        }
    }

    void markProducer(Client c) {
        if (!c.producer) {
            c.producer = true;
            stats.producers++;
        }
    }

    private void markWorker(Client c) {
        if (!c.worker) {
            c.worker = true;
            stats.workers++;
        }
    }

    Tube findOrMakeTube(String name) {
        Tube t = tubes.get(name);
        if (t == null) {
            t = new Tube(name);
            t.maxReserves = ext.tubeMaxReserves(name);
            tubes.put(name, t);
            t.listSlot = tubeList.size();
            tubeList.add(t);
        }
        return t;
    }

    /** Frees a tube nothing refers to any more, with its pause and counters, as beanstalkd does. */
    void maybeFree(Tube t) {
        if (t == defaultTube || !t.unreferenced() || tubes.get(t.name) != t) {
            return;
        }
        tubes.remove(t.name);
        int i = t.listSlot;
        Tube last = tubeList.remove(tubeList.size() - 1);
        if (last != t) {
            tubeList.set(i, last);
            last.listSlot = i;
        }
        t.listSlot = -1;
        pauses.remove(t);
    }

    private static <T> void swapRemove(ArrayList<T> list, int i) {
        T last = list.remove(list.size() - 1);
        if (i < list.size()) {
            list.set(i, last);
        }
    }

    /**
     * Sends a reply, or holds it until the log is durable up to everything appended so far (fsync always): a reply
     * never acknowledges a change that a crash could still undo, and a connection's replies never overtake each
     * other.
     */
    void reply(Client c, Reply r) {
        if (journal != null && journal.holdsReplies()
                && (c.held > 0 || journal.appendedPosition() > journal.durablePosition())) {
            held.add(new Held(c, r, journal.appendedPosition()));
            c.held++;
            return;
        }
        send(c, r);
    }

    private void send(Client c, Reply r) {
        c.sink.send(r);
        if (!c.dirty) {
            c.dirty = true;
            dirty.add(c);
        }
    }

    /** Closes a client's connection once its held replies are out. */
    private void closeSink(Client c) {
        if (c.held > 0) {
            c.closeWhenSent = true;
        } else {
            c.sink.close();
        }
    }
}
