package io.sluice.broker.engine;

import io.sluice.broker.log.LogRecord;
import io.sluice.broker.log.Recovery;

import java.util.HashMap;
import java.util.Map;

/**
 * Recovery's {@link Recovery.Replay} for an engine: makes the engine's own jobs while the log is read, so that the
 * decoded records die young (kept to the end of the replay, they filled the heap with scratch that only a 200 ms
 * full collection handed back at 1M jobs). A job is made with its tube and tied to its segment by an unlinked
 * placeholder, which {@link Engine#restore} gives the journal with its final size; placing the jobs in their tubes'
 * heaps and lists waits for the replay's end, when each job's last record is known.
 *
 * <p>Thread rule: the starting thread, before the engine runs (it makes tubes in the engine's state).
 */
final class RecoveredJobs implements Recovery.Replay<DurableJob> {
    private final Engine engine;
    /** The engine clock and the wall clock at the replay's start: ages and deadlines are measured from these. */
    private final long now;
    private final long wall;
    private final Map<Long, Journal.Segment> segments = new HashMap<>();
    private Journal.Segment lastSegment;
    private Tube lastTube;

    RecoveredJobs(Engine engine, long now, long wall) {
        this.engine = engine;
        this.now = now;
        this.wall = wall;
    }

    @Override
    public DurableJob job(LogRecord r, long anchorSequence, int anchorBytes) {
        Tube t = lastTube;
        if (t == null || !t.name.equals(r.tube())) {
            t = engine.findOrMakeTube(r.tube());
            lastTube = t;
        }
        return made(r, t, r.body(), segment(anchorSequence), anchorBytes);
    }

    @Override
    public DurableJob state(DurableJob old, LogRecord r) {
        return made(r, old.tube, old.body, old.anchor(), old.anchorBytes());
    }

    @Override
    public long id(DurableJob j) {
        return j.id;
    }

    private DurableJob made(LogRecord r, Tube t, byte[] body, Journal.Segment anchor, int anchorBytes) {
        DurableJob j = new DurableJob(r.id(), t, r.pri(), r.delay(), r.ttr(), body,
                now - Math.max(0, wall - r.createdAtMillis()) * 1_000_000);
        j.restoreReserves(r.reserves());
        j.restoreCounts(r.timeouts(), r.releases(), r.buries(), r.kicks());
        j.loggedState(r.state());
        j.loggedReadyAt(r.readyAtMillis());
        if (r.ext() != null) {
            j.ext(engine.ext.restoredExt(r.ext(), wall));
        }
        j.anchor(anchor, anchorBytes); // not yet in the segment's list: restore links it
        return j;
    }

    /** The placeholder for segment {@code sequence}, the same object for every job anchored there. */
    Journal.Segment segment(long sequence) {
        Journal.Segment s = lastSegment;
        if (s == null || s.sequence != sequence) {
            s = segments.computeIfAbsent(sequence, q -> new Journal.Segment(q, 0));
            lastSegment = s;
        }
        return s;
    }
}
