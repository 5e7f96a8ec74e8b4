package io.sluice.broker.engine;

import io.sluice.broker.log.LogFormat;
import io.sluice.broker.log.LogRecord;
import io.sluice.broker.log.LogWriter;
import io.sluice.broker.log.RecordCodec;
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
        /** Jobs anchored here, linked through {@link Job#segPrev}/{@link Job#segNext}. */
        private Job head;

        Segment(long sequence, long bytes) {
            this.sequence = sequence;
            this.bytes = bytes;
        }

        void add(Job j) {
            j.segPrev = null;
            j.segNext = head;
            if (head != null) {
                head.segPrev = j;
            }
            head = j;
        }

        void remove(Job j) {
            if (j.segPrev == null) {
                head = j.segNext;
            } else {
                j.segPrev.segNext = j.segNext;
            }
            if (j.segNext != null) {
                j.segNext.segPrev = j.segPrev;
            }
            j.segPrev = null;
            j.segNext = null;
        }

        Job first() {
            return head;
        }
    }

    /** Size of a STATE record, and the fixed part of a JOB record (add tube name and body). */
    static final int STATE_RECORD = 74;
    static final int JOB_RECORD_FIXED = STATE_RECORD + 1 + 4;
    static final int DELETE_RECORD = 17;

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

    private long limit(boolean isDelete) {
        return isDelete ? segmentSize : segmentSize - deleteReserve;
    }

    static int jobRecordSize(Job j) {
        return JOB_RECORD_FIXED + j.tube.name.length() + j.body.length;
    }

    /** Registers a segment found by recovery (oldest first). */
    Segment recovered(long sequence, long bytes) {
        Segment s = new Segment(sequence, bytes);
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

    /** Ties a recovered job to the segment of its latest full record. */
    void anchorRecovered(Job j, Segment s, int bytes) {
        anchor(j, s, bytes);
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
        unanchor(j);
        anchor(j, current, rec.length);
    }

    void writeState(Job j, long now, long nextId) {
        append(RecordCodec.encode(record(LogFormat.STATE, j, now)), nextId, false);
    }

    void writeDelete(Job j, long nextId) {
        append(RecordCodec.encode(LogRecord.delete(j.id)), nextId, true);
        unanchor(j);
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
        if (j.state == JobState.DELAYED) {
            state = LogFormat.DELAYED;
            readyAt = wallMillis.getAsLong() + (j.deadline - now) / 1_000_000;
        } else if (j.state == JobState.BURIED) {
            state = LogFormat.BURIED;
        } else if (j.state == JobState.RESERVED) {
            state = j.loggedState; // a reservation is not durable: the job comes back as it was last logged
            readyAt = j.loggedReadyAt;
        } else {
            state = LogFormat.READY;
        }
        j.loggedState = state;
        j.loggedReadyAt = readyAt;
        long createdWall = wallMillis.getAsLong() - (now - j.createdAt) / 1_000_000;
        return new LogRecord(type, j.id, state, j.pri, j.ttr, j.delay, readyAt, createdWall, j.reserves, j.timeouts,
                j.releases, j.buries, j.kicks, type == LogFormat.JOB ? j.tube.name : null,
                type == LogFormat.JOB ? j.body : null);
    }

    private void anchor(Job j, Segment s, int bytes) {
        j.anchor = s;
        j.anchorBytes = bytes;
        s.add(j);
        s.liveBytes += bytes;
        s.liveJobs++;
        liveBytes += bytes;
    }

    private void unanchor(Job j) {
        Segment s = j.anchor;
        if (s != null) {
            s.remove(j);
            s.liveBytes -= j.anchorBytes;
            s.liveJobs--;
            liveBytes -= j.anchorBytes;
            j.anchor = null;
        }
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
            Job j;
            while ((j = oldest.first()) != null) {
                if (!canAppend(jobRecordSize(j), false)) {
                    return; // the disk is full: try again after a later change
                }
                writeJob(j, now, nextId);
                recordsMigrated++;
            }
            segments.pollFirst();
            totalBytes -= oldest.bytes;
            writer.deleteSegment(oldest.sequence);
        }
    }
}
