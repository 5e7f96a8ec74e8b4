package io.sluice.broker.log;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Recovery against hand-made damage: torn tails at every offset, flipped bits, zero tails, mid-log corruption. */
class RecoveryTest {
    @TempDir
    Path dir;

    private static LogRecord job(long id, String body) {
        return new LogRecord(LogFormat.JOB, id, LogFormat.READY, 7, 60_000_000_000L, 0, 0, 1000, 0, 0, 0, 0, 0,
                "tube", body.getBytes());
    }

    private static byte[] header(long seq, long nextId) {
        ByteBuffer h = ByteBuffer.allocate(LogFormat.HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        h.put(LogFormat.MAGIC).putInt(LogFormat.VERSION).putInt(0).putLong(seq).putLong(nextId);
        return h.array();
    }

    private Path segment(long seq, LogRecord... records) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(header(seq, 1));
        for (LogRecord r : records) {
            out.write(RecordCodec.encode(r));
        }
        Path p = dir.resolve(LogFormat.segmentName(seq));
        Files.write(p, out.toByteArray());
        return p;
    }

    private static List<Long> ids(Recovery.Result<Recovery.Job> r) {
        List<Long> ids = new ArrayList<>();
        r.jobs().forEach(j -> ids.add(j.record().id()));
        return ids;
    }

    private static LogRecord buried(long id) {
        return new LogRecord(LogFormat.STATE, id, LogFormat.BURIED, 7, 60_000_000_000L, 0, 0, 1000, 1, 0, 0, 1, 0,
                null, null);
    }

    /** The buried FIFO is rebuilt from this order, so it must follow each job's latest record exactly. */
    @Test
    void jobsComeBackInTheOrderOfTheirLatestRecord() throws Exception {
        segment(1, job(1, "a"), job(2, "b"), job(3, "c"), job(4, "d"), buried(2), buried(1),
                LogRecord.delete(4), job(3, "c")); // 3 re-written by compaction: it moves to the end
        Recovery.Result<Recovery.Job> r = Recovery.recover(dir, false);
        assertEquals(List.of(2L, 1L, 3L), ids(r));
        assertEquals("a", new String(r.jobs().get(1).record().body()));
        assertEquals(LogFormat.BURIED, r.jobs().get(1).record().state());
        assertEquals(5, r.nextJobId());
    }

    /** Extension records: options on jobs, retained finished jobs, schedules and their removal, tube settings. */
    @Test
    void extensionRecordsRoundTripThroughRecovery() throws Exception {
        LogRecord keyed = new LogRecord(LogFormat.JOB, 1, LogFormat.READY, 0, 1, 0, 0, 1000, 0, 0, 0, 0, 0, "t",
                "x".getBytes(), new LogRecord.Ext("k'1", 99_000, true, 3, false), null);
        LogRecord marked = new LogRecord(LogFormat.STATE, 1, LogFormat.READY, 0, 1, 0, 0, 1000, 1, 0, 0, 0, 0, null,
                null, new LogRecord.Ext("k'1", 99_000, true, 3, true), null);
        Path p = segment(1, keyed, marked,
                LogRecord.delete(2, new LogRecord.Finish(LogFormat.FINISHED_EXPIRED, 5000, "t", "gone")));
        java.io.ByteArrayOutputStream more = new java.io.ByteArrayOutputStream();
        more.write(RecordCodec.encode(new ScheduleRecord(false, "t", "s1", "0 3 * * *", "Europe/Paris", 4, 60, "b".getBytes(),
                10, 20, 2)));
        more.write(RecordCodec.encode(new ScheduleRecord(false, "t", "s2", "@hourly", "UTC", 0, 1, new byte[0], 1, 2, 0)));
        more.write(RecordCodec.encode(ScheduleRecord.removal("t", "s2")));
        more.write(RecordCodec.encode(new TubeRecord("t", 5)));
        more.write(RecordCodec.encode(new TubeRecord("u", 2)));
        more.write(RecordCodec.encode(new TubeRecord("u", 0)));
        Files.write(p, more.toByteArray(), java.nio.file.StandardOpenOption.APPEND);
        Recovery.Result<Recovery.Job> r = Recovery.recover(dir, false);
        LogRecord j = r.jobs().get(0).record();
        assertEquals("t", j.tube());
        assertEquals(new LogRecord.Ext("k'1", 99_000, true, 3, true), j.ext());
        assertEquals(1, r.finished().size());
        assertEquals(new LogRecord.Finish(LogFormat.FINISHED_EXPIRED, 5000, "t", "gone"), r.finished().get(0).finish());
        assertEquals(1, r.schedules().size());
        ScheduleRecord s = r.schedules().get(0).record();
        assertEquals("s1", s.name());
        assertEquals("Europe/Paris", s.zone());
        assertEquals(20, s.nextAtMillis());
        assertEquals(2, s.fired());
        assertEquals(1, r.tubeSettings().size());
        assertEquals(new TubeRecord("t", 5), r.tubeSettings().get(0).record());
        assertEquals(3, r.nextJobId());
    }

    /** The sizes the engine checks disk room with are the sizes encode produces. */
    @Test
    void recordSizesMatchTheEncoding() {
        LogRecord.Ext ext = new LogRecord.Ext("key", 1, false, -1, false);
        assertEquals(RecordCodec.encode(job(1, "body")).length, RecordCodec.jobSize(4, 4, -1));
        LogRecord keyed = new LogRecord(LogFormat.JOB, 1, LogFormat.READY, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, "tube",
                "body".getBytes(), ext, null);
        assertEquals(RecordCodec.encode(keyed).length, RecordCodec.jobSize(4, 4, 3));
        assertEquals(RecordCodec.encode(buried(1)).length, RecordCodec.stateSize(-1));
        assertEquals(RecordCodec.encode(LogRecord.delete(1)).length, RecordCodec.deleteSize(-1, 0));
        assertEquals(RecordCodec.encode(LogRecord.delete(1, new LogRecord.Finish(LogFormat.FINISHED_DELETED, 1,
                "tube", "ab"))).length, RecordCodec.deleteSize(4, 2));
        assertEquals(RecordCodec.encode(new ScheduleRecord(false, "t", "nm", "@daily", "UTC", 0, 1, new byte[3], 1, 2,
                3)).length, RecordCodec.scheduleSize(1, 2, 6, 3, 3));
        assertEquals(RecordCodec.encode(ScheduleRecord.removal("t", "nm")).length, RecordCodec.unscheduleSize(1, 2));
        assertEquals(RecordCodec.encode(new TubeRecord("tube", 3)).length, RecordCodec.tubeSize(4));
    }

    @Test
    void codecRoundTrips() throws Exception {
        LogRecord r = job(42, "body\r\n\0");
        byte[] enc = RecordCodec.encode(r);
        LogRecord back = RecordCodec.decodePayload(ByteBuffer.wrap(enc, 8, enc.length - 8).slice());
        assertEquals(r.id(), back.id());
        assertEquals("tube", back.tube());
        assertArrayEquals(r.body(), back.body());
        assertEquals(7, back.pri());
    }

    @Test
    void replayAppliesStateAndDeletesAndNeverReusesIds() throws Exception {
        LogRecord buried = new LogRecord(LogFormat.STATE, 1, LogFormat.BURIED, 9, 0, 0, 0, 0, 0, 0, 0, 1, 0, null,
                null);
        segment(1, job(1, "a"), job(2, "b"), buried, LogRecord.delete(2), job(3, "c"), LogRecord.delete(3));
        Recovery.Result<Recovery.Job> r = Recovery.recover(dir, false);
        assertEquals(List.of(1L), ids(r));
        assertEquals(LogFormat.BURIED, r.jobs().get(0).record().state());
        assertEquals("a", new String(r.jobs().get(0).record().body()));
        assertEquals(4, r.nextJobId(), "deleted job 3 still holds its id");
    }

    @Test
    void aTornLastRecordIsCutAtEveryOffset() throws Exception {
        Path p = segment(1, job(1, "first"), job(2, "second-record"));
        byte[] whole = Files.readAllBytes(p);
        int lastStart = whole.length - RecordCodec.encode(job(2, "second-record")).length;
        for (int cut = lastStart + 1; cut < whole.length; cut++) {
            Files.write(p, java.util.Arrays.copyOf(whole, cut));
            Recovery.Result<Recovery.Job> r = Recovery.recover(dir, false);
            assertEquals(List.of(1L), ids(r), "cut at " + cut);
            assertEquals(lastStart, Files.size(p), "torn tail removed");
            assertFalse(r.warnings().isEmpty());
        }
    }

    @Test
    void aFlippedBitInTheLastRecordIsCaughtByTheChecksum() throws Exception {
        Path p = segment(1, job(1, "first"), job(2, "second"));
        byte[] whole = Files.readAllBytes(p);
        int lastStart = whole.length - RecordCodec.encode(job(2, "second")).length;
        for (int i = lastStart; i < whole.length; i++) {
            byte[] bad = whole.clone();
            bad[i] ^= 0x10;
            Files.write(p, bad);
            Recovery.Result<Recovery.Job> r = Recovery.recover(dir, false);
            assertEquals(List.of(1L), ids(r), "flip at " + i);
        }
    }

    @Test
    void aZeroFilledTailIsACleanEnd() throws Exception {
        Path p = segment(1, job(1, "x"));
        byte[] whole = Files.readAllBytes(p);
        Files.write(p, java.util.Arrays.copyOf(whole, whole.length + 4096));
        Recovery.Result<Recovery.Job> r = Recovery.recover(dir, false);
        assertEquals(List.of(1L), ids(r));
        assertTrue(r.warnings().isEmpty(), r.warnings().toString());
        assertEquals(whole.length, Files.size(p), "the zeros claimed ahead are given back");
    }

    /** The zero check goes by blocks: a stray byte anywhere in a long tail, even its last, is still damage. */
    @Test
    void aStrayByteAnywhereInALongZeroTailIsCaught() throws Exception {
        Path p = segment(1, job(1, "x"));
        byte[] whole = Files.readAllBytes(p);
        int tail = 3 * 64 * 1024 + 17;
        for (int at : new int[] {0, 64 * 1024 - 1, 64 * 1024, 2 * 64 * 1024 + 5, tail - 1}) {
            byte[] b = java.util.Arrays.copyOf(whole, whole.length + tail);
            b[whole.length + at] = 1;
            Files.write(p, b);
            Recovery.Result<Recovery.Job> r = Recovery.recover(dir, false);
            assertEquals(List.of(1L), ids(r), "stray byte at " + at);
            assertEquals(1, r.warnings().size(), "stray byte at " + at + ": " + r.warnings());
            assertEquals(whole.length, Files.size(p), "cut after the good record, stray byte at " + at);
        }
    }

    @Test
    void aSegmentPreparedAheadAndNeverUsedIsRemovedButItsIdMarkCounts() throws Exception {
        segment(1, job(1, "x"));
        byte[] empty = java.util.Arrays.copyOf(header(2, 500), 8192);
        Files.write(dir.resolve(LogFormat.segmentName(2)), empty);
        Recovery.Result<Recovery.Job> r = Recovery.recover(dir, false);
        assertEquals(List.of(1L), ids(r));
        assertEquals(500, r.nextJobId());
        assertFalse(Files.exists(dir.resolve(LogFormat.segmentName(2))));
        assertEquals(1, r.segments().size());
    }

    @Test
    void corruptionBeforeTheLastSegmentRefusesToStartNamingFileAndOffset() throws Exception {
        Path first = segment(1, job(1, "a"), job(2, "b"));
        segment(2, job(3, "c"));
        byte[] bad = Files.readAllBytes(first);
        int offset = LogFormat.HEADER_SIZE + RecordCodec.encode(job(1, "a")).length;
        bad[offset + 12] ^= 1;
        Files.write(first, bad);
        Recovery.CorruptLogException e = assertThrows(Recovery.CorruptLogException.class,
                () -> Recovery.recover(dir, false));
        assertTrue(e.getMessage().contains(first.toString()) && e.getMessage().contains("offset " + offset),
                e.getMessage());
        assertTrue(Files.exists(dir.resolve(LogFormat.segmentName(2))), "nothing removed without the flag");

        Recovery.Result<Recovery.Job> r = Recovery.recover(dir, true);
        assertEquals(List.of(1L), ids(r));
        assertFalse(Files.exists(dir.resolve(LogFormat.segmentName(2))));
    }

    @Test
    void aHalfWrittenNewSegmentIsRemoved() throws Exception {
        segment(1, job(1, "a"));
        Files.write(dir.resolve(LogFormat.segmentName(2)), new byte[10]);
        Recovery.Result<Recovery.Job> r = Recovery.recover(dir, false);
        assertEquals(List.of(1L), ids(r));
        assertFalse(Files.exists(dir.resolve(LogFormat.segmentName(2))));
    }

    /** The broker aborts a recovery between segments when it learns it cannot listen: nothing may be half-done. */
    @Test
    void theCheckpointRunsBeforeEachSegmentAndCanStopTheRecoveryCleanly() throws Exception {
        segment(1, job(1, "a"));
        segment(2, job(2, "b"));
        segment(3, job(3, "c"));
        int[] calls = {0};
        Recovery.Result<Recovery.Job> all = Recovery.recover(dir, false, () -> calls[0]++);
        assertEquals(3, calls[0]);
        assertEquals(List.of(1L, 2L, 3L), ids(all));

        class Abort extends RuntimeException {
        }
        int[] seen = {0};
        assertThrows(Abort.class, () -> Recovery.recover(dir, false, () -> {
            if (++seen[0] == 2) {
                throw new Abort();
            }
        }));
        assertEquals(2, seen[0], "stopped before reading the second segment");
        assertEquals(List.of(1L, 2L, 3L), SegmentFiles.list(dir));
        assertEquals(List.of(1L, 2L, 3L), ids(Recovery.recover(dir, false)));
    }
}
