package io.sluice.broker.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Rebuilds the surviving jobs from the segments, oldest first. Replay restores state, it does not re-run
 * commands: the last record of a job wins, a DELETE removes it.
 *
 * <p>Damage: a torn or garbage tail of the <em>last</em> segment is what a crash leaves; it is cut off with a loud
 * log line. A bad record anywhere else means the disk lost acknowledged data: recovery refuses to start, naming the
 * file and offset, unless {@code truncateCorrupt} is set, in which case the log is cut there (that segment is
 * truncated and every later one removed).
 *
 * <p>Thread rule: runs once on the starting thread, before the engine and the log thread exist.
 */
public final class Recovery {

    /** A surviving job: its latest record and the segment holding its latest full (JOB) record. */
    public record Job(LogRecord record, long anchorSequence, int anchorBytes) { }

    /** A segment that stays: its number and size. */
    public record Segment(long sequence, long bytes) { }

    /** A retained finished job: how it finished, and the segment holding that DELETE record. */
    public record Finished(long id, LogRecord.Finish finish, long anchorSequence, int anchorBytes) { }

    /** A live schedule's latest record and the segment holding it. */
    public record Schedule(ScheduleRecord record, long anchorSequence, int anchorBytes) { }

    /** A tube setting's latest record and the segment holding it. */
    public record TubeSetting(TubeRecord record, long anchorSequence, int anchorBytes) { }

    /**
     * What recovery found: jobs in the order of their latest record (as the {@link Replay} made them), segments,
     * the next job id, and the extensions' state (finished jobs in finishing order, schedules, tube settings).
     */
    public record Result<J>(List<J> jobs, List<Segment> segments, long nextJobId, List<String> warnings,
                            List<Finished> finished, List<Schedule> schedules, List<TubeSetting> tubeSettings) { }

    /**
     * Makes the object that stands for a surviving job, record by record while the log is read. The engine makes
     * its own jobs here: a job's scratch (the decoded record) then dies young, instead of living as long as the
     * replay and leaving the heap full of it (a full collection of 200 ms at 1M jobs to hand back).
     */
    public interface Replay<J> {
        /** A JOB record (a put, or a job's re-written full record): the job as it is now. */
        J job(LogRecord jobRecord, long anchorSequence, int anchorBytes);

        /** A STATE record for a job it made: the job's new version, a new object (the old one is dropped). */
        J state(J job, LogRecord stateRecord);

        long id(J job);
    }

    /** The replay of {@link #recover(Path, boolean)}: each job as its latest record, merged with its JOB record. */
    public static final Replay<Job> RECORDS = new Replay<>() {
        @Override
        public Job job(LogRecord r, long anchorSequence, int anchorBytes) {
            return new Job(r, anchorSequence, anchorBytes);
        }

        @Override
        public Job state(Job old, LogRecord r) {
            LogRecord o = old.record();
            return new Job(r.asJob(o.tube(), o.body()), old.anchorSequence(), old.anchorBytes());
        }

        @Override
        public long id(Job j) {
            return j.record().id();
        }
    };

    /**
     * Everything replay accumulates. Jobs are kept in the order of their latest record (the buried FIFO is rebuilt
     * from it): each version is appended, and a version counts only while the index by id ({@link IdMap}: a chunk
     * slot per job, no hash probes and no linked entries) still names it, so neither needs the other's position.
     */
    private static final class State<J> {
        final Replay<J> replay;
        final ArrayList<J> jobs = new ArrayList<>();
        final IdMap<J> jobIndex = new IdMap<>();
        final RecordCodec.Names names = new RecordCodec.Names();
        int stale;
        final LinkedHashMap<Long, Finished> finished = new LinkedHashMap<>();
        final LinkedHashMap<String, Schedule> schedules = new LinkedHashMap<>();
        final LinkedHashMap<String, TubeSetting> tubes = new LinkedHashMap<>();
        long maxIdSeen;
        /** The highest id a JOB record had so far: a JOB record above it is a new job, with nothing to replace. */
        long maxJobId;

        State(Replay<J> replay) {
            this.replay = replay;
        }

        J removeJob(long id) {
            J j = jobIndex.remove(id);
            if (j != null) {
                stale++;
            }
            return j;
        }

        void addJob(long id, J j) {
            jobIndex.put(id, j);
            jobs.add(j);
        }

        /** The live versions, in order; in place (a second list of a million would be scratch of its own). */
        List<J> liveJobs() {
            if (stale == 0) {
                return jobs;
            }
            int n = 0;
            for (int i = 0; i < jobs.size(); i++) {
                J j = jobs.get(i);
                if (jobIndex.get(replay.id(j)) == j) {
                    jobs.set(n++, j);
                }
            }
            jobs.subList(n, jobs.size()).clear();
            jobs.trimToSize();
            return jobs;
        }
    }

    /** The log is damaged where a crash cannot have damaged it. */
    public static final class CorruptLogException extends IOException {
        private static final long serialVersionUID = 1L;

        public CorruptLogException(String message) {
            super(message);
        }
    }

    private Recovery() {
    }

    public static Result<Job> recover(Path dir, boolean truncateCorrupt) throws IOException {
        return recover(dir, truncateCorrupt, () -> { }, RECORDS);
    }

    public static Result<Job> recover(Path dir, boolean truncateCorrupt, Runnable beforeEachSegment)
            throws IOException {
        return recover(dir, truncateCorrupt, beforeEachSegment, RECORDS);
    }

    /**
     * As above; {@code beforeEachSegment} runs before each segment is read and may abort the recovery by throwing
     * (the broker stops as soon as it knows it cannot listen, instead of after reading the whole log). Stopping
     * between segments leaves the directory as a later recovery expects it. {@code replay} makes the jobs.
     */
    public static <J> Result<J> recover(Path dir, boolean truncateCorrupt, Runnable beforeEachSegment,
                                        Replay<J> replay) throws IOException {
        List<Long> seqs = SegmentFiles.list(dir);
        State<J> st = new State<>(replay);
        byte[] buf = new byte[0];
        List<Segment> kept = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        long nextId = 1;
        for (int i = 0; i < seqs.size(); i++) {
            beforeEachSegment.run();
            long seq = seqs.get(i);
            Path file = dir.resolve(LogFormat.segmentName(seq));
            // one buffer for every segment: records copy their bodies out, so it can be reused
            int size = (int) Files.size(file);
            if (buf.length < size) {
                buf = new byte[size];
            }
            readFully(file, buf, size);
            ByteBuffer b = ByteBuffer.wrap(buf, 0, size).slice().order(ByteOrder.LITTLE_ENDIAN);
            int dataLength = size;
            String headerProblem = checkHeader(b, seq);
            if (headerProblem != null) {
                cut(dir, seqs, i, -1, headerProblem, truncateCorrupt, warnings);
                break;
            }
            nextId = Math.max(nextId, b.getLong(24));
            b.position(LogFormat.HEADER_SIZE);
            int end = scan(b, seq, st);
            nextId = Math.max(nextId, st.maxIdSeen + 1); // deleted jobs' ids count too: ids never repeat
            String why = end < dataLength ? describe(b, end) : null;
            if (why != null) {
                cut(dir, seqs, i, end, why, truncateCorrupt, warnings);
                kept.add(new Segment(seq, end));
                break;
            }
            if (end == LogFormat.HEADER_SIZE) {
                // no records: a segment prepared ahead and never used (its id mark is taken above)
                Files.delete(file);
                SegmentFiles.syncDirectory(dir);
                continue;
            }
            if (end < dataLength) {
                // the zeros claimed ahead and never written: give the space back
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    ch.truncate(end);
                    ch.force(true);
                }
            }
            kept.add(new Segment(seq, end));
        }
        List<J> live = st.liveJobs();
        for (J j : live) {
            nextId = Math.max(nextId, replay.id(j) + 1);
        }
        return new Result<>(live, kept, nextId, warnings,
                new ArrayList<>(st.finished.values()), new ArrayList<>(st.schedules.values()),
                new ArrayList<>(st.tubes.values()));
    }

    /**
     * Read in pieces of this size: the JDK reads into a heap buffer through a temporary direct buffer as large as
     * the read and keeps it for the thread, whose life is the broker's (a whole 10 MB segment at once kept 10 MB
     * resident for good).
     */
    private static final int READ_CHUNK = 256 * 1024;

    private static void readFully(Path file, byte[] into, int size) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer dst = ByteBuffer.wrap(into, 0, size);
            int n = 0;
            while (n >= 0 && dst.position() < size) {
                dst.limit(Math.min(size, dst.position() + READ_CHUNK));
                n = ch.read(dst);
            }
            dst.limit(size);
            if (dst.hasRemaining()) {
                throw new IOException(file + ": shorter than its size while reading");
            }
        }
    }

    private static String checkHeader(ByteBuffer b, long seq) {
        if (b.limit() < LogFormat.HEADER_SIZE) {
            return "short header";
        }
        byte[] magic = new byte[8];
        b.get(0, magic);
        if (!Arrays.equals(magic, LogFormat.MAGIC)) {
            return "bad magic";
        }
        int version = b.getInt(8);
        if (version != LogFormat.VERSION) {
            return "unknown format version " + version;
        }
        if (b.getLong(16) != seq) {
            return "header names segment " + b.getLong(16);
        }
        return null;
    }

    /** Applies every good record; returns the offset of the first byte that is not a good record. */
    private static <J> int scan(ByteBuffer b, long seq, State<J> st) {
        CRC32C crc = new CRC32C();
        while (b.remaining() >= LogFormat.FRAME_SIZE) {
            int start = b.position();
            int len = b.getInt(start);
            if (len <= 4 || len > LogFormat.MAX_RECORD || len > b.remaining() - 4) {
                return start;
            }
            int stored = b.getInt(start + 4);
            crc.reset();
            crc.update(b.array(), start + LogFormat.FRAME_SIZE, len - 4);
            if ((int) crc.getValue() != stored) {
                return start;
            }
            Object rec;
            try {
                rec = RecordCodec.decodeAny(ByteBuffer.wrap(b.array(), start + LogFormat.FRAME_SIZE, len - 4)
                        .slice(), st.names);
            } catch (RecordCodec.CorruptRecordException e) {
                return start;
            }
            if (rec instanceof LogRecord r) {
                st.maxIdSeen = Math.max(st.maxIdSeen, r.id());
                apply(r, seq, len + 4, st);
            } else if (rec instanceof ScheduleRecord s) {
                String k = s.tube() + ' ' + s.name();
                st.schedules.remove(k);
                if (!s.removed()) {
                    st.schedules.put(k, new Schedule(s, seq, len + 4));
                }
            } else if (rec instanceof TubeRecord t) {
                st.tubes.remove(t.tube());
                if (t.maxReserves() != 0) {
                    st.tubes.put(t.tube(), new TubeSetting(t, seq, len + 4));
                }
            }
            b.position(start + 4 + len);
        }
        return b.position();
    }

    private static <J> void apply(LogRecord r, long seq, int bytes, State<J> st) {
        if (r.type() == LogFormat.JOB && r.id() > st.maxJobId) {
            st.maxJobId = r.id(); // the common case, a put: skip the lookup (ids never repeat)
            st.addJob(r.id(), st.replay.job(r, seq, bytes));
            return;
        }
        J old = st.removeJob(r.id());
        if (r.type() == LogFormat.DELETE) {
            st.finished.remove(r.id()); // a re-written (compacted) finish record replaces the older copy
            if (r.finish() != null) {
                st.finished.put(r.id(), new Finished(r.id(), r.finish(), seq, bytes));
            }
            return;
        }
        if (r.type() == LogFormat.JOB) {
            st.addJob(r.id(), st.replay.job(r, seq, bytes));
        } else if (old != null) {
            st.addJob(r.id(), st.replay.state(old, r));
        }
        // a STATE for an unknown job: its JOB record was in a segment already compacted away with the job deleted
    }

    /** Why the bytes at {@code offset} are not a clean end of segment, or null if they are zeros (a clean end). */
    private static String describe(ByteBuffer b, int offset) {
        if (zeros(b, offset)) {
            return null;
        }
        if (b.limit() - offset < LogFormat.FRAME_SIZE) {
            return "torn record frame (" + (b.limit() - offset) + " bytes)";
        }
        int len = b.getInt(offset);
        if (len <= 4 || len > LogFormat.MAX_RECORD) {
            return "bad record length " + len;
        }
        if (len > b.limit() - offset - 4) {
            return "record of " + len + " bytes runs past the end of the file (torn write)";
        }
        return "checksum mismatch or malformed record";
    }

    private static final ByteBuffer ZEROS = ByteBuffer.allocate(64 * 1024);

    /**
     * Whether the bytes from {@code offset} on are all zero: the space the writer claimed ahead, up to a whole
     * segment (a byte-by-byte loop over it took 60 ms of a 1M-job recovery, run before the JIT compiled it).
     */
    private static boolean zeros(ByteBuffer b, int offset) {
        for (int i = offset; i < b.limit(); i += ZEROS.capacity()) {
            int n = Math.min(ZEROS.capacity(), b.limit() - i);
            if (b.slice(i, n).mismatch(ZEROS.slice(0, n)) >= 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Cuts the log at {@code offset} of segment {@code index} (-1: the whole segment goes), and drops every later
     * segment. Only the last segment may be cut without {@code truncateCorrupt}.
     */
    private static void cut(Path dir, List<Long> seqs, int index, int offset, String why, boolean truncateCorrupt,
                            List<String> warnings) throws IOException {
        Path file = dir.resolve(LogFormat.segmentName(seqs.get(index)));
        boolean last = index == seqs.size() - 1;
        if (!last && !truncateCorrupt) {
            throw new CorruptLogException(file + " offset " + Math.max(offset, 0) + ": " + why + ". This is not the "
                    + "last segment, so acknowledged jobs may be lost. Start with --recover-truncate to cut the log "
                    + "here (the rest of this segment and every later segment are dropped).");
        }
        if (offset < 0) {
            Files.delete(file);
            warnings.add("removed " + file + ": " + why);
        } else {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.truncate(offset);
                ch.force(true);
            }
            warnings.add("truncated " + file + " at offset " + offset + ": " + why
                    + (last ? " (the tail a crash leaves; never acknowledged under fsync always)" : ""));
        }
        for (int k = index + 1; k < seqs.size(); k++) {
            Path later = dir.resolve(LogFormat.segmentName(seqs.get(k)));
            Files.delete(later);
            warnings.add("removed " + later + " (after the cut made with --recover-truncate)");
        }
        SegmentFiles.syncDirectory(dir);
    }
}
