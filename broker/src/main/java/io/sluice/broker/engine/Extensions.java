package io.sluice.broker.engine;

import io.sluice.broker.log.LogRecord;
import io.sluice.broker.log.RecordCodec;
import io.sluice.broker.log.Recovery;
import io.sluice.broker.protocol.Command;
import io.sluice.broker.protocol.JobState;
import io.sluice.broker.protocol.Reply;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Sluice's extensions to beanstalkd (PROTOCOL.md §7): unique keys, expiry, cancellation, finished-job state,
 * listing, clearing, reserve limits, recurring jobs. Owns their state and runs their commands; job state
 * transitions go through the {@link Engine}'s, so beanstalkd's semantics and counters stay in one place.
 *
 * <p>Thread rule: engine thread only (it is part of the engine).
 */
final class Extensions {
    private static final long SECOND = Engine.SECOND;
    /** Engine-clock conversions of wall-clock instants are clamped to this far ahead (no overflow). */
    private static final long MAX_AHEAD_MILLIS = 50L * 365 * 86_400_000;

    private final Engine e;
    private final Clock clock;
    final FinishedJobs finished = new FinishedJobs();
    /** Key to its live {@link Job} or its retained {@link Finished} job. */
    private final HashMap<String, Object> keys = new HashMap<>();
    private final IndexedHeap<Job> expiry = new IndexedHeap<>(
            (a, b) -> Long.compare(a.ext().expiresAt, b.ext().expiresAt), JobExt.EXPIRY_SLOT);
    private final HashMap<String, Schedule> schedules = new HashMap<>();
    private final IndexedHeap<Schedule> due = new IndexedHeap<>(
            (a, b) -> Long.compare(a.nextAt, b.nextAt), Schedule.SLOT);
    private final HashMap<String, TubeSettings> tubeSettings = new HashMap<>();
    private final Consumer<Finished> onForget = this::forgotten;

    long keyed;
    long totalCompleted;
    long totalDeleted;
    long totalCancelled;
    long totalExpired;
    long autoBuried;
    long totalFired;

    Extensions(Engine engine, Clock clock) {
        this.e = engine;
        this.clock = clock;
    }

    // ---------------------------------------------------------------- hooks from the engine

    /** A job with extension fields was created (or restored): index its key, arm its TTL. */
    void added(Job j) {
        JobExt x = j.ext();
        if (x.key != null) {
            keys.put(x.key, j);
            keyed++;
        }
        if (x.expiresAt != 0) {
            expiry.add(j);
        }
    }

    /** A job is finishing: counts it, disarms it, and returns the record to retain (null: retention is off). */
    Finished finishing(Job j, FinishKind kind) {
        switch (kind) {
            case COMPLETED:
                totalCompleted++;
                break;
            case DELETED:
                totalDeleted++;
                break;
            case CANCELLED:
                totalCancelled++;
                break;
            default:
                break; // expiries are counted when the TTL ends
        }
        JobExt x = j.ext();
        String key = null;
        if (x != null) {
            if (x.expirySlot >= 0) {
                expiry.remove(j);
            }
            key = x.key;
            if (key != null) {
                keyed--;
            }
        }
        Finished f = null;
        if (finished.retains()) {
            f = new Finished(j.id, key, j.tube.name, kind, clock.wallMillis());
            finished.add(f, onForget);
        }
        if (key != null) {
            if (f != null) {
                keys.put(key, f);
            } else {
                keys.remove(key);
            }
        }
        return f;
    }

    private void forgotten(Finished f) {
        if (f.key != null && keys.get(f.key) == f) {
            keys.remove(f.key);
        }
        if (e.journal != null) {
            e.journal.forget(f);
        }
    }

    long tubeMaxReserves(String tube) {
        TubeSettings t = tubeSettings.get(tube);
        return t == null ? 0 : t.maxReserves;
    }

    /** Fires due TTLs and schedules, forgets old finished jobs. Returns the next deadline (engine clock). */
    long tick(long now) {
        Job j;
        while ((j = expiry.peek()) != null && j.ext().expiresAt <= now) {
            expiry.poll();
            expire(j);
        }
        Schedule s;
        while ((s = due.peek()) != null && s.nextAt <= now) {
            due.poll();
            fire(s, now);
        }
        long wall = clock.wallMillis();
        finished.expire(wall, onForget);
        long next = Long.MAX_VALUE;
        if ((j = expiry.peek()) != null) {
            next = j.ext().expiresAt;
        }
        if ((s = due.peek()) != null) {
            next = Math.min(next, s.nextAt);
        }
        long forgetAt = finished.nextExpiry();
        if (forgetAt != Long.MAX_VALUE) {
            next = Math.min(next, toEngine(forgetAt, wall, now));
        }
        return next;
    }

    private static long toEngine(long wallAt, long wallNow, long now) {
        return now + Math.min(wallAt - wallNow, MAX_AHEAD_MILLIS) * 1_000_000;
    }

    /**
     * The TTL ended. A reserved job stays with its worker and expires when the reservation ends without a delete;
     * any other is removed, or buried with on-expire=bury (a buried one then stays buried).
     */
    private void expire(Job j) {
        JobExt x = j.ext();
        x.expiresAt = 0;
        if (j.state() == JobState.RESERVED) {
            x.expired = true;
            return;
        }
        expiryTakesEffect(x);
        if (x.onExpireBury) {
            if (j.state() != JobState.BURIED) {
                e.removeFromState(j);
                e.buryJob(j);
                e.logStateIfRoom(j);
            }
            return;
        }
        e.removeFromState(j);
        e.finish(j, FinishKind.EXPIRED);
    }

    /** An ended TTL takes effect now (the job is removed or buried by it): counted, and spent. */
    void expiryTakesEffect(JobExt x) {
        x.expired = false;
        x.ttlEnded = true;
        totalExpired++;
    }

    // ---------------------------------------------------------------- restart

    /** The extension fields of a recovered job; a TTL that ended while the broker was down fires at once. */
    JobExt restoredExt(LogRecord.Ext r, long wall) {
        long at = r.expiresAtMillis() == 0 ? 0 : toEngine(r.expiresAtMillis(), wall, e.now) | 1; // 0 means none
        JobExt x = new JobExt(r.key(), at, r.expiresAtMillis(), r.onExpireBury(), r.maxReserves());
        x.cancelRequested = r.cancelRequested();
        return x;
    }

    /**
     * Rebuilds tube settings, retained finished jobs and schedules, and finishes the jobs that were cancelled while
     * reserved (a reservation does not survive a restart; a cancelled job must not come back): {@code cancelled},
     * the recovered jobs with a cancel mark.
     */
    void restore(Recovery.Result<?> r, Map<Long, Journal.Segment> bySeq, long wall, List<Job> cancelled) {
        for (Recovery.TubeSetting rt : r.tubeSettings()) {
            TubeSettings t = new TubeSettings(rt.record().tube(), rt.record().maxReserves());
            tubeSettings.put(t.tube, t);
            e.journal.anchorRecovered(t, bySeq.get(rt.anchorSequence()), rt.anchorBytes());
            Tube tube = e.tubes.get(t.tube);
            if (tube != null) {
                tube.maxReserves = t.maxReserves;
            }
        }
        List<Recovery.Finished> fs = new ArrayList<>(r.finished());
        fs.sort(Comparator.comparingLong(f -> f.finish().finishedAtMillis()));
        for (Recovery.Finished rf : fs) {
            LogRecord.Finish x = rf.finish();
            if (!finished.retains() || x.finishedAtMillis() + finished.retentionMillis() <= wall) {
                continue; // forgotten already: its record is dead bytes
            }
            Finished f = new Finished(rf.id(), x.key(), x.tube(), FinishKind.of(x.kind()), x.finishedAtMillis());
            e.journal.anchorRecovered(f, bySeq.get(rf.anchorSequence()), rf.anchorBytes());
            finished.add(f, onForget);
            if (f.key != null && !keys.containsKey(f.key)) {
                keys.put(f.key, f);
            }
        }
        for (Recovery.Schedule rs : r.schedules()) {
            var x = rs.record();
            CronSpec cron = CronSpec.parse(x.spec(), x.zone());
            if (cron == null) {
                continue; // validated when added; a time zone this JVM no longer knows
            }
            Schedule s = new Schedule(x.tube(), x.name(), x.spec(), x.zone(), cron, x.pri(), x.ttr(), x.body(),
                    x.addedAtMillis());
            s.nextAtWall = x.nextAtMillis();
            s.fired = x.fired();
            s.nextAt = toEngine(s.nextAtWall, wall, e.now); // in the past: a missed firing, fired once at once
            schedules.put(Schedule.key(s.tube, s.name), s);
            e.journal.anchorRecovered(s, bySeq.get(rs.anchorSequence()), rs.anchorBytes());
            if (s.nextAtWall != Long.MAX_VALUE) {
                due.add(s);
            }
        }
        for (Job j : cancelled) {
            e.removeFromState(j);
            e.finish(j, FinishKind.CANCELLED);
        }
    }

    // ---------------------------------------------------------------- commands

    /** Runs an extension command; false if {@code cmd} is not one. */
    boolean execute(Client c, Command cmd) {
        if (cmd instanceof Command.PutEx p) {
            putEx(c, p);
        } else if (cmd instanceof Command.PeekKey p) {
            Job j = byKey(p.key());
            e.reply(c, j == null ? Reply.NOT_FOUND : new Reply.JobBody(false, j.id, j.body));
        } else if (cmd instanceof Command.DeleteKey d) {
            e.delete(c, byKey(d.key()));
        } else if (cmd instanceof Command.JobStateOf s) {
            jobState(c, s);
        } else if (cmd instanceof Command.Cancel x) {
            cancel(c, x.key() != null ? byKey(x.key()) : e.jobs.get(x.id()));
        } else if (cmd instanceof Command.ReleaseEx r) {
            e.release(c, r.id(), r.pri(), r.delayNanos());
        } else if (cmd instanceof Command.ReserveEx r) {
            e.reserve(c, r.timeoutNanos());
        } else if (cmd instanceof Command.ListJobs l) {
            listJobs(c, l);
        } else if (cmd instanceof Command.ClearTube t) {
            clearTube(c, t.tube());
        } else if (cmd instanceof Command.TubeSet t) {
            tubeSet(c, t);
        } else if (cmd instanceof Command.TubeSettingsOf t) {
            e.reply(c, new Reply.Ok(ExtYaml.tubeSettings(t.tube(), tubeMaxReserves(t.tube()))));
        } else if (cmd instanceof Command.ScheduleAdd a) {
            scheduleAdd(c, a);
        } else if (cmd instanceof Command.ScheduleRemove r) {
            scheduleRemove(c, r.name());
        } else if (cmd instanceof Command.ScheduleList) {
            List<Schedule> all = new ArrayList<>(schedules.values());
            all.sort(Comparator.comparing((Schedule s) -> s.tube).thenComparing(s -> s.name));
            e.reply(c, new Reply.Ok(ExtYaml.schedules(all)));
        } else if (cmd instanceof Command.StatsExt) {
            e.reply(c, new Reply.Ok(ExtYaml.stats(this, schedules.size())));
        } else {
            return false;
        }
        return true;
    }

    private Job byKey(String key) {
        return keys.get(key) instanceof Job j ? j : null;
    }

    private void putEx(Client c, Command.PutEx p) {
        e.stats.count(Op.PUT);
        e.markProducer(c);
        if (p.key() != null) {
            Object o = keys.get(p.key());
            long existing = o instanceof Job j ? j.id
                    : o instanceof Finished f && finished.live(f, clock.wallMillis()) ? f.id : 0;
            if (existing != 0) {
                e.reply(c, new Reply.Numbered(Reply.NumberedWord.EXISTS, existing));
                return;
            }
        }
        JobExt x = null;
        if (p.key() != null || p.ttlNanos() > 0 || p.maxReserves() >= 0) {
            long ttl = p.ttlNanos();
            x = new JobExt(p.key(), ttl > 0 ? e.now + ttl : 0, ttl > 0 ? clock.wallMillis() + ttl / 1_000_000 : 0,
                    p.onExpireBury(), p.maxReserves());
        }
        Job j = e.putJob(c, c.use, p.pri(), p.delayNanos(), Math.max(p.ttrNanos(), SECOND), p.body(), x);
        if (j != null) {
            e.reply(c, new Reply.Numbered(Reply.NumberedWord.INSERTED, j.id));
        }
    }

    private void jobState(Client c, Command.JobStateOf s) {
        Object o = s.key() != null ? keys.get(s.key()) : e.jobs.get(s.id());
        if (o == null && s.key() == null) {
            o = finished.get(s.id(), clock.wallMillis());
        }
        if (o instanceof Finished f && !finished.live(f, clock.wallMillis())) {
            o = null;
        }
        if (o instanceof Job j) {
            e.reply(c, new Reply.Ok(ExtYaml.jobState(j, e.now)));
        } else if (o instanceof Finished f) {
            e.reply(c, new Reply.Ok(ExtYaml.jobState(f)));
        } else {
            e.reply(c, Reply.NOT_FOUND);
        }
    }

    private void cancel(Client c, Job j) {
        if (j == null) {
            e.reply(c, Reply.NOT_FOUND);
            return;
        }
        if (j.state() == JobState.RESERVED) {
            if (j.cancelRequested()) {
                e.reply(c, Reply.CANCELLING);
                return;
            }
            JobExt x = j.ext();
            if (x == null) {
                x = new JobExt(null, 0, 0, false, -1);
            }
            if (!e.logRoom(Journal.stateRecordSize(x), false)) {
                e.reply(c, Reply.OUT_OF_MEMORY);
                return;
            }
            j.ext(x);
            x.cancelRequested = true;
            e.logState(j); // the mark survives a restart: the job is then finished, not made ready again
            e.reply(c, Reply.CANCELLING);
            return;
        }
        if (!e.logRoom(Journal.deleteRecordSize(j, finished.retains()), true)) {
            e.reply(c, Reply.INTERNAL_ERROR);
            return;
        }
        e.removeFromState(j);
        e.finish(j, FinishKind.CANCELLED);
        e.reply(c, Reply.CANCELLED);
    }

    private void listJobs(Client c, Command.ListJobs l) {
        Tube t = e.tubes.get(l.tube());
        if (t == null) {
            e.reply(c, Reply.NOT_FOUND);
            return;
        }
        List<Job> found = new ArrayList<>();
        switch (l.state()) {
            case READY:
                collect(t.ready, l.afterId(), found);
                break;
            case DELAYED:
                collect(t.delayed, l.afterId(), found);
                break;
            case BURIED:
                for (Job j = t.buried.first(); j != null; j = t.buried.after(j)) {
                    if (j.id > l.afterId()) {
                        found.add(j);
                    }
                }
                break;
            default:
                for (Job j : e.jobs) {
                    if (j.tube == t && j.state() == JobState.RESERVED && j.id > l.afterId()) {
                        found.add(j);
                    }
                }
                break;
        }
        found.sort(Comparator.comparingLong(j -> j.id));
        boolean more = found.size() > l.limit();
        List<Job> page = more ? found.subList(0, l.limit()) : found;
        long next = more ? page.get(page.size() - 1).id : 0;
        e.reply(c, new Reply.Ok(ExtYaml.jobList(page, next, e.now)));
    }

    private static void collect(IndexedHeap<Job> heap, long afterId, List<Job> out) {
        for (int i = 0; i < heap.size(); i++) {
            Job j = heap.get(i);
            if (j.id > afterId) {
                out.add(j);
            }
        }
    }

    private void clearTube(Client c, String name) {
        Tube t = e.tubes.get(name);
        if (t == null) {
            e.reply(c, Reply.NOT_FOUND);
            return;
        }
        List<Job> victims = new ArrayList<>(t.ready.size() + t.delayed.size() + t.buried.size());
        collect(t.ready, 0, victims);
        collect(t.delayed, 0, victims);
        for (Job j = t.buried.first(); j != null; j = t.buried.after(j)) {
            victims.add(j);
        }
        long n = 0;
        for (Job j : victims) {
            if (!e.logRoom(Journal.deleteRecordSize(j, finished.retains()), true)) {
                break; // the disk is full: the count says how many went
            }
            e.removeFromState(j);
            e.finish(j, FinishKind.DELETED);
            n++;
        }
        e.reply(c, new Reply.Numbered(Reply.NumberedWord.CLEARED, n));
    }

    private void tubeSet(Client c, Command.TubeSet t) {
        TubeSettings ts = tubeSettings.get(t.tube());
        if (ts == null && t.maxReserves() == 0) {
            e.reply(c, Reply.UPDATED);
            return;
        }
        if (!e.logRoom(Journal.tubeRecordSize(t.tube()), false)) {
            e.reply(c, Reply.OUT_OF_MEMORY);
            return;
        }
        if (ts == null) {
            ts = new TubeSettings(t.tube(), t.maxReserves());
            tubeSettings.put(ts.tube, ts);
        }
        ts.maxReserves = t.maxReserves();
        if (ts.maxReserves == 0) {
            tubeSettings.remove(ts.tube);
        }
        Tube tube = e.tubes.get(t.tube());
        if (tube != null) {
            tube.maxReserves = ts.maxReserves;
        }
        if (e.journal != null) {
            e.journal.writeTubeSettings(ts, e.nextId());
        }
        e.reply(c, Reply.UPDATED);
    }

    // ---------------------------------------------------------------- schedules

    private void scheduleAdd(Client c, Command.ScheduleAdd a) {
        CronSpec cron = CronSpec.parse(a.spec(), a.zone());
        if (cron == null) {
            e.reply(c, Reply.BAD_FORMAT);
            return;
        }
        String tube = c.use.name;
        if (!e.logRoom(Journal.scheduleRecordSize(tube, a.name(), a.spec(), a.zone(), a.body()), false)) {
            e.reply(c, Reply.OUT_OF_MEMORY);
            return;
        }
        long wall = clock.wallMillis();
        String k = Schedule.key(tube, a.name());
        Schedule old = schedules.remove(k);
        if (old != null) {
            due.remove(old);
            if (e.journal != null) {
                e.journal.forget(old);
            }
        }
        Schedule s = new Schedule(tube, a.name(), a.spec(), a.zone(), cron, a.pri(), Math.max(a.ttrNanos(), SECOND),
                a.body(), wall);
        s.nextAtWall = cron.nextAfter(wall, wall);
        s.nextAt = toEngine(s.nextAtWall, wall, e.now);
        schedules.put(k, s);
        if (s.nextAtWall != Long.MAX_VALUE) {
            due.add(s);
        }
        if (e.journal != null) {
            e.journal.writeSchedule(s, e.nextId());
        }
        e.reply(c, Reply.SCHEDULED);
    }

    private void scheduleRemove(Client c, String name) {
        String k = Schedule.key(c.use.name, name);
        Schedule s = schedules.get(k);
        if (s == null) {
            e.reply(c, Reply.NOT_FOUND);
            return;
        }
        if (!e.logRoom(Journal.unscheduleRecordSize(s), true)) {
            e.reply(c, Reply.INTERNAL_ERROR);
            return;
        }
        schedules.remove(k);
        due.remove(s);
        if (e.journal != null) {
            e.journal.writeUnschedule(s, e.nextId());
        }
        e.reply(c, Reply.REMOVED);
    }

    /**
     * A firing: puts one job. When it cannot (drain mode, full disk) it tries again every second; firings missed
     * meanwhile (or while the broker was down) are coalesced: the next time is computed from now.
     */
    private void fire(Schedule s, long now) {
        long wall = clock.wallMillis();
        Tube t = e.findOrMakeTube(s.tube);
        boolean room = e.journal == null || e.journal.canAppend(RecordCodec.jobSize(s.tube.length(), s.body.length, -1)
                + Journal.scheduleRecordSize(s.tube, s.name, s.spec, s.zone, s.body), false);
        Job j = e.draining || !room ? null : e.putJob(null, t, s.pri, 0, s.ttr, s.body, null);
        if (j == null) {
            e.maybeFree(t);
            s.nextAt = now + SECOND;
            due.add(s);
            return;
        }
        s.fired++;
        totalFired++;
        s.nextAtWall = s.cron.nextAfter(Math.max(wall, s.nextAtWall), s.addedAt);
        s.nextAt = toEngine(s.nextAtWall, wall, now);
        if (e.journal != null) {
            e.journal.writeSchedule(s, e.nextId());
        }
        if (s.nextAtWall != Long.MAX_VALUE) {
            due.add(s);
        }
    }
}
