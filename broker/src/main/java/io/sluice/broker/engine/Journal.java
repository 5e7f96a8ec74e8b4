package io.sluice.broker.engine;

import io.sluice.broker.log.LogFormat;
import io.sluice.broker.log.LogRecord;
import io.sluice.broker.log.LogWriter;
import io.sluice.broker.log.RecordCodec;
import io.sluice.broker.log.ScheduleRecord;
import io.sluice.broker.log.TubeRecord;
import io.sluice.broker.protocol.JobState;

import java.util.ArrayDeque;
import java.util.function.LongSupplier;

/**
 * The engine's side of the durable log: turns job changes into records for the {@link LogWriter}, decides segment
 * boundaries, and keeps the accounting that drives compaction. Each live job is "anchored" in the segment holding
 * its latest full record; a segment with no anchors holds only garbage. Compaction re-writes the anchored jobs of
 * the oldest segment into the current one and then has the writer delete it (the writer forces the copies first),
 * so disk use stays within a small factor of the live data whatever the traffic pattern.
 *
 * <p>Thread rule: engine thread only.
 */
final class Journal {
    /** One segment's accounting. */
    static final class Segment {
        final long sequence;
        long bytes;
        long liveBytes;
        long liveJobs;
        /** Objects anchored here, linked through {@link Anchored#segPrev()}/{@link Anchored#segNext()}. */
        private Anchored head;

        Segment(long sequence, long bytes) {
            this.sequence = sequence;
            this.bytes = bytes;
        }

        void add(Anchored j) {
            j.segPrev(null);
            j.segNext(head);
            if (head != null) {
                head.segPrev(j);
            }
            head = j;
        }

        void remove(Anchored j) {
            Anchored prev = j.segPrev();
            Anchored next = j.segNext();
            if (prev == null) {
                head = next;
            } else {
                prev.segNext(next);
            }
            if (next != null) {
                next.segPrev(prev);
            }
            j.segPrev(null);
            j.segNext(null);
        }

        Anchored first() {
            return head;
        }
    }


    private final LogWriter writer;
    private final boolean holdReplies;
    private final long segmentSize;
    /** Room kept free in every segment for DELETE records, so deletes work while the disk is full. */
    private final long deleteReserve;
    private final LongSupplier wallMillis;
    private final ArrayDeque<Segment> segments = new ArrayDeque<>();
    private Segment current;
    private long appended;
    private long totalBytes;
    private long liveBytes;
    long recordsWritten;
    long recordsMigrated;

    Journal(LogWriter writer, boolean holdReplies, long segmentSize, LongSupplier wallMillis) {
        this.writer = writer;
        this.holdReplies = holdReplies;
        this.segmentSize = segmentSize;
        this.deleteReserve = Math.min(64 * 1024, segmentSize / 8);
        this.wallMillis = wallMillis;
    }

    /**
     * Whether a record of {@code bytes} can be appended now without the disk refusing it: it fits the current
     * segment (deletes may use the reserve), or the next segment is already prepared. When this says no, the
     * engine refuses the change (OUT_OF_MEMORY, as beanstalkd on a full disk) and changes nothing.
     */
    boolean canAppend(int bytes, boolean isDelete) {
        if (current.bytes + bytes <= limit(isDelete) || current.bytes == LogFormat.HEADER_SIZE) {
            return true; // a record larger than a segment goes alone into a fresh one
        }
        return writer.readySequence() > current.sequence;
    }

    /**
     * The current segment is three quarters full and the log thread is still preparing the next one (no disk
     * problem): the engine should wait before it applies more commands, rather than refuse them OUT_OF_MEMORY
     * when the segment runs out a moment before the next is ready (a burst of puts outrunning the preparation).
     */
    boolean nextSegmentPending() {
        return current.bytes > segmentSize - segmentSize / 4 && writer.readySequence() <= current.sequence
                && writer.spaceProblem() == null;
    }

    private long limit(boolean isDelete) {
        return isDelete ? segmentSize : segmentSize - deleteReserve;
    }

    // Record sizes of engine objects, for canAppend; RecordCodec owns the layout.

    static int jobRecordSize(Job j) {
        return RecordCodec.jobSize(j.tube.name.length(), j.body.length, extKey(j.ext()));
    }

    /** A STATE record of a job with extension fields {@code x} (which a cancel may be about to add). */
    static int stateRecordSize(JobExt x) {
        return RecordCodec.stateSize(extKey(x));
    }

    static int stateRecordSize(Job j) {
        return stateRecordSize(j.ext());
    }

    /** A DELETE record, with the finish trailer when the finished job is retained. */
    static int deleteRecordSize(Job j, boolean retained) {
        String key = j.key();
        return RecordCodec.deleteSize(retained ? j.tube.name.length() : -1, keyLength(key));
    }

    static int finishedRecordSize(Finished f) {
        return RecordCodec.deleteSize(f.tube.length(), keyLength(f.key));
    }

    static int scheduleRecordSize(String tube, String name, String spec, String zone, byte[] body) {
        return RecordCodec.scheduleSize(tube.length(), name.length(), spec.length(), zone.length(), body.length);
    }

    static int unscheduleRecordSize(Schedule s) {
        return RecordCodec.unscheduleSize(s.tube.length(), s.name.length());
    }

    static int tubeRecordSize(String tube) {
        return RecordCodec.tubeSize(tube.length());
    }

    /** -1 without extension fields, else the key's length (0: no key), as RecordCodec counts them. */
    private static int extKey(JobExt x) {
        return x == null ? -1 : keyLength(x.key);
    }

    private static int keyLength(String key) {
        return key == null ? 0 : key.length();
    }

    /** Registers a segment found by recovery (oldest first). */
    Segment recovered(Segment s, long bytes) {
        s.bytes = bytes;
        segments.add(s);
        totalBytes += bytes;
        return s;
    }

    /** The segment new records go to; opened by the writer's start. */
    void opened(long sequence) {
        current = new Segment(sequence, LogFormat.HEADER_SIZE);
        segments.add(current);
        totalBytes += LogFormat.HEADER_SIZE;
    }

    /** Ties a recovered object to the segment of its latest full record. */
    void anchorRecovered(Anchored a, Segment s, int bytes) {
        anchor(a, s, bytes);
    }

    long appendedPosition() {
        return appended;
    }

    boolean holdsReplies() {
        return holdReplies;
    }

    long durablePosition() {
        return writer.durablePosition();
    }

    long oldestSequence() {
        return segments.isEmpty() ? 0 : segments.peekFirst().sequence;
    }

    long currentSequence() {
        return current == null ? 0 : current.sequence;
    }

    long totalBytes() {
        return totalBytes;
    }

    long liveBytes() {
        return liveBytes;
    }

    int segmentCount() {
        return segments.size();
    }

    /** {@code stats-log}: totals, then one line per segment, oldest first (valid YAML). */
    byte[] statsYaml() {
        StringBuilder sb = new StringBuilder("---\ndurable: true\n");
        sb.append("fsync: ").append(holdReplies ? "always" : "deferred").append('\n');
        sb.append("segment-size: ").append(segmentSize).append('\n');
        sb.append("segments: ").append(segments.size()).append('\n');
        sb.append("total-bytes: ").append(totalBytes).append('\n');
        sb.append("live-bytes: ").append(liveBytes).append('\n');
        sb.append("dead-bytes: ").append(totalBytes - liveBytes).append('\n');
        sb.append("records-written: ").append(recordsWritten).append('\n');
        sb.append("records-migrated: ").append(recordsMigrated).append('\n');
        sb.append("disk-full: ").append(writer.spaceProblem() != null).append('\n');
        sb.append("detail:\n");
        for (Segment s : segments) {
            sb.append("- {sequence: ").append(s.sequence).append(", bytes: ").append(s.bytes)
                    .append(", live-bytes: ").append(s.liveBytes).append(", dead-bytes: ").append(s.bytes - s.liveBytes)
                    .append(", live-jobs: ").append(s.liveJobs).append("}\n");
        }
        return sb.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    // ------------------------------------------------------------------ records

    void writeJob(Job j, long now, long nextId) {
        byte[] rec = RecordCodec.encode(record(LogFormat.JOB, j, now));
        append(rec, nextId, false);
        Anchored a = anchored(j);
        unanchor(a);
        anchor(a, current, rec.length);
    }

    void writeState(Job j, long now, long nextId) {
        append(RecordCodec.encode(record(LogFormat.STATE, j, now)), nextId, false);
    }

    /** The job is gone; {@code f}, when not null, is the finished record that is retained (and anchored). */
    void writeDelete(Job j, Finished f, long nextId) {
        unanchor(anchored(j));
        if (f == null) {
            append(RecordCodec.encode(LogRecord.delete(j.id)), nextId, true);
        } else {
            writeFinished(f, nextId);
        }
    }

    private void writeFinished(Finished f, long nextId) {
        byte[] rec = RecordCodec.encode(LogRecord.delete(f.id,
                new LogRecord.Finish(f.kind.code, f.finishedAt, f.tube, f.key)));
        append(rec, nextId, true);
        unanchor(f);
        anchor(f, current, rec.length);
    }

    void writeSchedule(Schedule s, long nextId) {
        byte[] rec = RecordCodec.encode(new ScheduleRecord(false, s.tube, s.name, s.spec, s.zone, s.pri, s.ttr,
                s.body, s.addedAt, s.nextAtWall, s.fired));
        append(rec, nextId, false);
        unanchor(s);
        anchor(s, current, rec.length);
    }

    void writeUnschedule(Schedule s, long nextId) {
        unanchor(s);
        append(RecordCodec.encode(ScheduleRecord.removal(s.tube, s.name)), nextId, true);
    }

    void writeTubeSettings(TubeSettings t, long nextId) {
        byte[] rec = RecordCodec.encode(new TubeRecord(t.tube, t.maxReserves));
        append(rec, nextId, false);
        unanchor(t);
        if (t.maxReserves != 0) {
            anchor(t, current, rec.length);
        }
    }

    /** Something the log no longer needs to keep (a forgotten finished job): its bytes become dead. */
    void forget(Job j) {
        forget(anchored(j));
    }

    void forget(Anchored a) {
        unanchor(a);
    }

    private void append(byte[] rec, long nextId, boolean isDelete) {
        if (current.bytes > LogFormat.HEADER_SIZE && current.bytes + rec.length > limit(isDelete)) {
            long seq = current.sequence + 1;
            writer.roll(seq, nextId);
            current = new Segment(seq, LogFormat.HEADER_SIZE);
            segments.add(current);
            totalBytes += LogFormat.HEADER_SIZE;
        }
        writer.append(rec);
        current.bytes += rec.length;
        totalBytes += rec.length;
        appended += rec.length;
        recordsWritten++;
    }

    private LogRecord record(byte type, Job j, long now) {
        byte state;
        long readyAt = 0;
        if (j.state() == JobState.DELAYED) {
            state = LogFormat.DELAYED;
            readyAt = wallMillis.getAsLong() + (j.deadline - now) / 1_000_000;
        } else if (j.state() == JobState.BURIED) {
            state = LogFormat.BURIED;
        } else if (j.state() == JobState.RESERVED) {
            state = j.loggedState(); // a reservation is not durable: the job comes back as it was last logged
            readyAt = j.loggedReadyAt();
        } else {
            state = LogFormat.READY;
        }
        j.loggedState(state);
        j.loggedReadyAt(readyAt);
        long createdWall = wallMillis.getAsLong() - (now - j.createdAt) / 1_000_000;
        JobExt x = j.ext();
        LogRecord.Ext ext = x == null ? null
                : new LogRecord.Ext(x.key, x.expiresAtWall, x.onExpireBury, x.maxReserves, x.cancelRequested);
        return new LogRecord(type, j.id, state, j.pri(), j.ttr(), j.delay(), readyAt, createdWall, j.reserves(),
                j.timeouts(), j.releases(), j.buries(), j.kicks(), type == LogFormat.JOB ? j.tube.name : null,
                type == LogFormat.JOB ? j.body : null, ext, null);
    }

    private void anchor(Anchored j, Segment s, int bytes) {
        j.anchor(s, bytes);
        s.add(j);
        s.liveBytes += bytes;
        s.liveJobs++;
        liveBytes += bytes;
    }

    private void unanchor(Anchored j) {
        Segment s = j.anchor();
        if (s != null) {
            s.remove(j);
            s.liveBytes -= j.anchorBytes();
            s.liveJobs--;
            liveBytes -= j.anchorBytes();
            j.anchor(null, 0);
        }
    }

    /** A job of this broker: made a {@link DurableJob}, since the broker has a log (Engine). */
    private static Anchored anchored(Job j) {
        return (DurableJob) j;
    }

    // ------------------------------------------------------------------ compaction

    /**
     * While dead bytes outweigh live ones, empties the oldest segment by re-writing its anchored jobs into the
     * current segment, then deletes it. Never touches the current segment.
     */
    void compact(long now, long nextId) {
        while (segments.size() > 1 && totalBytes - liveBytes > Math.max(liveBytes, segmentSize)) {
            Segment oldest = segments.peekFirst();
            if (oldest == current) {
                return;
            }
            Anchored a;
            while ((a = oldest.first()) != null) {
                if (!migrate(a, now, nextId)) {
                    return; // the disk is full: try again after a later change
                }
                recordsMigrated++;
            }
            segments.pollFirst();
            totalBytes -= oldest.bytes;
            writer.deleteSegment(oldest.sequence);
        }
    }

    /** Re-writes one anchored object into the current segment; false if the disk has no room for it now. */
    private boolean migrate(Anchored a, long now, long nextId) {
        if (a instanceof Job j) {
            if (!canAppend(jobRecordSize(j), false)) {
                return false;
            }
            writeJob(j, now, nextId);
        } else if (a instanceof Finished f) {
            if (!canAppend(finishedRecordSize(f), true)) {
                return false;
            }
            writeFinished(f, nextId);
        } else if (a instanceof Schedule s) {
            if (!canAppend(scheduleRecordSize(s.tube, s.name, s.spec, s.zone, s.body), false)) {
                return false;
            }
            writeSchedule(s, nextId);
        } else if (a instanceof TubeSettings t) {
            if (!canAppend(tubeRecordSize(t.tube), false)) {
                return false;
            }
            writeTubeSettings(t, nextId);
        }
        return true;
    }
}
