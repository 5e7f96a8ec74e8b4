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

    private static List<Long> ids(Recovery.Result r) {
        List<Long> ids = new ArrayList<>();
        r.jobs().forEach(j -> ids.add(j.record().id()));
        return ids;
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
        Recovery.Result r = Recovery.recover(dir, false);
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
            Recovery.Result r = Recovery.recover(dir, false);
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
            Recovery.Result r = Recovery.recover(dir, false);
            assertEquals(List.of(1L), ids(r), "flip at " + i);
        }
    }

    @Test
    void aZeroFilledTailIsACleanEnd() throws Exception {
        Path p = segment(1, job(1, "x"));
        byte[] whole = Files.readAllBytes(p);
        Files.write(p, java.util.Arrays.copyOf(whole, whole.length + 4096));
        Recovery.Result r = Recovery.recover(dir, false);
        assertEquals(List.of(1L), ids(r));
        assertTrue(r.warnings().isEmpty(), r.warnings().toString());
        assertEquals(whole.length, Files.size(p), "the zeros claimed ahead are given back");
    }

    @Test
    void aSegmentPreparedAheadAndNeverUsedIsRemovedButItsIdMarkCounts() throws Exception {
        segment(1, job(1, "x"));
        byte[] empty = java.util.Arrays.copyOf(header(2, 500), 8192);
        Files.write(dir.resolve(LogFormat.segmentName(2)), empty);
        Recovery.Result r = Recovery.recover(dir, false);
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

        Recovery.Result r = Recovery.recover(dir, true);
        assertEquals(List.of(1L), ids(r));
        assertFalse(Files.exists(dir.resolve(LogFormat.segmentName(2))));
    }

    @Test
    void aHalfWrittenNewSegmentIsRemoved() throws Exception {
        segment(1, job(1, "a"));
        Files.write(dir.resolve(LogFormat.segmentName(2)), new byte[10]);
        Recovery.Result r = Recovery.recover(dir, false);
        assertEquals(List.of(1L), ids(r));
        assertFalse(Files.exists(dir.resolve(LogFormat.segmentName(2))));
    }
}
