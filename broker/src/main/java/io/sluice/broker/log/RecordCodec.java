package io.sluice.broker.log;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * Records to framed bytes and back (layout in {@link LogFormat}): {@link LogRecord} for jobs, {@link
 * ScheduleRecord} and {@link TubeRecord} for the extensions' durable state.
 *
 * <p>Thread rule: stateless static methods; any thread.
 */
public final class RecordCodec {
    private static final int EXT_FIXED = 1 + 8 + 8 + 1;
    private static final int FINISH_FIXED = 1 + 8 + 1 + 1;

    private RecordCodec() {
    }

    // ---- framed sizes: what encode produces, for the engine's "is there room on disk" checks

    /** A STATE record; {@code extKey} -1 without extension fields, else the key's length (0: none). */
    public static int stateSize(int extKey) {
        return LogFormat.FRAME_SIZE + LogFormat.STATE_BODY + (extKey < 0 ? 0 : EXT_FIXED + extKey);
    }

    /** A JOB record: as {@link #stateSize} plus the tube name and the body. */
    public static int jobSize(int tube, int body, int extKey) {
        return stateSize(extKey) + 1 + tube + 4 + body;
    }

    /** A DELETE record; {@code finishTube} -1 without the finish trailer, else the tube's length. */
    public static int deleteSize(int finishTube, int key) {
        return LogFormat.FRAME_SIZE + LogFormat.DELETE_BODY + (finishTube < 0 ? 0 : FINISH_FIXED + finishTube + key);
    }

    public static int scheduleSize(int tube, int name, int spec, int zone, int body) {
        return unscheduleSize(tube, name) + 1 + spec + 1 + zone + 4 + 8 * 4 + 4 + body;
    }

    public static int unscheduleSize(int tube, int name) {
        return LogFormat.FRAME_SIZE + 1 + 8 + 1 + tube + 1 + name;
    }

    public static int tubeSize(int tube) {
        return LogFormat.FRAME_SIZE + 1 + 8 + 1 + tube + 8;
    }

    /** The whole framed record: length, CRC, payload. */
    public static byte[] encode(LogRecord r) {
        int size;
        if (r.type() == LogFormat.DELETE) {
            size = r.finish() == null ? deleteSize(-1, 0)
                    : deleteSize(r.finish().tube().length(), len(r.finish().key()));
        } else {
            int extKey = r.ext() == null ? -1 : len(r.ext().key());
            size = r.type() == LogFormat.JOB ? jobSize(r.tube().length(), r.body().length, extKey) : stateSize(extKey);
        }
        ByteBuffer b = frame(size - LogFormat.FRAME_SIZE);
        b.put(r.type());
        b.putLong(r.id());
        if (r.type() == LogFormat.DELETE) {
            LogRecord.Finish f = r.finish();
            if (f != null) {
                b.put(f.kind());
                b.putLong(f.finishedAtMillis());
                putShort(b, f.tube());
                putShort(b, f.key());
            }
        } else {
            b.put(r.state());
            b.putInt((int) r.pri());
            b.putLong(r.ttr());
            b.putLong(r.delay());
            b.putLong(r.readyAtMillis());
            b.putLong(r.createdAtMillis());
            b.putInt(r.reserves()).putInt(r.timeouts()).putInt(r.releases()).putInt(r.buries()).putInt(r.kicks());
            if (r.type() == LogFormat.JOB) {
                putShort(b, r.tube());
                b.putInt(r.body().length);
                b.put(r.body());
            }
            LogRecord.Ext x = r.ext();
            if (x != null) {
                b.put((byte) ((x.onExpireBury() ? 1 : 0) | (x.cancelRequested() ? 2 : 0)));
                b.putLong(x.expiresAtMillis());
                b.putLong(x.maxReserves());
                putShort(b, x.key());
            }
        }
        return seal(b);
    }

    public static byte[] encode(ScheduleRecord s) {
        int size = s.removed() ? unscheduleSize(s.tube().length(), s.name().length())
                : scheduleSize(s.tube().length(), s.name().length(), s.spec().length(), s.zone().length(),
                        s.body().length);
        ByteBuffer b = frame(size - LogFormat.FRAME_SIZE);
        b.put(s.removed() ? LogFormat.UNSCHEDULE : LogFormat.SCHEDULE);
        b.putLong(0);
        putShort(b, s.tube());
        putShort(b, s.name());
        if (!s.removed()) {
            putShort(b, s.spec());
            putShort(b, s.zone());
            b.putInt((int) s.pri());
            b.putLong(s.ttr());
            b.putLong(s.addedAtMillis());
            b.putLong(s.nextAtMillis());
            b.putLong(s.fired());
            b.putInt(s.body().length);
            b.put(s.body());
        }
        return seal(b);
    }

    public static byte[] encode(TubeRecord t) {
        ByteBuffer b = frame(tubeSize(t.tube().length()) - LogFormat.FRAME_SIZE);
        b.put(LogFormat.TUBE);
        b.putLong(0);
        putShort(b, t.tube());
        b.putLong(t.maxReserves());
        return seal(b);
    }

    private static int len(String s) {
        return s == null ? 0 : s.length();
    }

    private static ByteBuffer frame(int payload) {
        ByteBuffer b = ByteBuffer.wrap(new byte[LogFormat.FRAME_SIZE + payload]).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(payload + 4);
        b.putInt(0); // crc, in seal
        return b;
    }

    private static byte[] seal(ByteBuffer b) {
        byte[] out = b.array();
        CRC32C crc = new CRC32C();
        crc.update(out, LogFormat.FRAME_SIZE, out.length - LogFormat.FRAME_SIZE);
        ByteBuffer.wrap(out, 4, 4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) crc.getValue());
        return out;
    }

    /** A string of at most 255 ASCII bytes (tube names, keys, names, specs, zones), length first; null as "". */
    private static void putShort(ByteBuffer b, String s) {
        byte[] bytes = (s == null ? "" : s).getBytes(StandardCharsets.ISO_8859_1);
        b.put((byte) bytes.length);
        b.put(bytes);
    }

    private static String getShort(ByteBuffer b) {
        byte[] t = new byte[b.get() & 0xFF];
        b.get(t);
        return new String(t, StandardCharsets.ISO_8859_1);
    }

    /**
     * Tube names seen recently while decoding, so that a million records of one tube share one String instead of
     * holding a million copies until recovery is done. Single-threaded (one per recovery).
     */
    public static final class Names {
        private final String[] recent = new String[16];
        private int next;

        String get(ByteBuffer b) {
            int len = b.get() & 0xFF;
            int at = b.position();
            for (String s : recent) {
                if (s != null && s.length() == len && same(s, b, at)) {
                    b.position(at + len);
                    return s;
                }
            }
            byte[] t = new byte[len];
            b.get(t);
            String s = new String(t, StandardCharsets.ISO_8859_1);
            recent[next] = s;
            next = (next + 1) % recent.length;
            return s;
        }

        private static boolean same(String s, ByteBuffer b, int at) {
            for (int i = 0; i < s.length(); i++) {
                if (s.charAt(i) != (b.get(at + i) & 0xFF)) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Thrown for a record that fails its checks: the reason and where. */
    public static final class CorruptRecordException extends Exception {
        private static final long serialVersionUID = 1L;

        public CorruptRecordException(String message) {
            super(message);
        }
    }

    /** Decodes a job record's payload (type .. end) whose frame was already checked (length and CRC). */
    public static LogRecord decodePayload(ByteBuffer b) throws CorruptRecordException {
        Object o = decodeAny(b);
        if (o instanceof LogRecord r) {
            return r;
        }
        throw new CorruptRecordException("not a job record");
    }

    /**
     * Decodes any record's payload: a {@link LogRecord}, {@link ScheduleRecord} or {@link TubeRecord}.
     */
    public static Object decodeAny(ByteBuffer b) throws CorruptRecordException {
        return decodeAny(b, null);
    }

    /** As {@link #decodeAny(ByteBuffer)}, sharing tube-name Strings through {@code names} (may be null). */
    public static Object decodeAny(ByteBuffer b, Names names) throws CorruptRecordException {
        b.order(ByteOrder.LITTLE_ENDIAN);
        try {
            byte type = b.get();
            long id = b.getLong();
            Object out;
            if (type == LogFormat.DELETE) {
                LogRecord.Finish f = null;
                if (b.hasRemaining()) {
                    byte kind = b.get();
                    long at = b.getLong();
                    String tube = getShort(b);
                    String key = getShort(b);
                    f = new LogRecord.Finish(kind, at, tube, key.isEmpty() ? null : key);
                }
                out = LogRecord.delete(id, f);
            } else if (type == LogFormat.JOB || type == LogFormat.STATE) {
                out = decodeJob(b, type, id, names);
            } else if (type == LogFormat.SCHEDULE || type == LogFormat.UNSCHEDULE) {
                String tube = getShort(b);
                String name = getShort(b);
                if (type == LogFormat.UNSCHEDULE) {
                    out = ScheduleRecord.removal(tube, name);
                } else {
                    String spec = getShort(b);
                    String zone = getShort(b);
                    long pri = b.getInt() & 0xFFFF_FFFFL;
                    long ttr = b.getLong();
                    long added = b.getLong();
                    long next = b.getLong();
                    long fired = b.getLong();
                    out = new ScheduleRecord(false, tube, name, spec, zone, pri, ttr, body(b), added, next, fired);
                }
            } else if (type == LogFormat.TUBE) {
                out = new TubeRecord(getShort(b), b.getLong());
            } else {
                throw new CorruptRecordException("unknown record type " + type);
            }
            if (b.hasRemaining()) {
                throw new CorruptRecordException(b.remaining() + " unexpected bytes after the record");
            }
            return out;
        } catch (java.nio.BufferUnderflowException e) {
            throw new CorruptRecordException("record shorter than its type requires");
        }
    }

    private static byte[] body(ByteBuffer b) throws CorruptRecordException {
        int len = b.getInt();
        if (len < 0 || len > b.remaining()) {
            throw new CorruptRecordException("body length " + len + " exceeds the record");
        }
        byte[] body = new byte[len];
        b.get(body);
        return body;
    }

    private static LogRecord decodeJob(ByteBuffer b, byte type, long id, Names names)
            throws CorruptRecordException {
        byte state = b.get();
        if (state != LogFormat.READY && state != LogFormat.DELAYED && state != LogFormat.BURIED) {
            throw new CorruptRecordException("unknown job state " + state);
        }
        long pri = b.getInt() & 0xFFFF_FFFFL;
        long ttr = b.getLong();
        long delay = b.getLong();
        long readyAt = b.getLong();
        long createdAt = b.getLong();
        int reserves = b.getInt();
        int timeouts = b.getInt();
        int releases = b.getInt();
        int buries = b.getInt();
        int kicks = b.getInt();
        String tube = null;
        byte[] body = null;
        if (type == LogFormat.JOB) {
            tube = names != null ? names.get(b) : getShort(b);
            body = body(b);
        }
        LogRecord.Ext ext = null;
        if (b.hasRemaining()) {
            byte flags = b.get();
            long expiresAt = b.getLong();
            long maxReserves = b.getLong();
            String key = getShort(b);
            ext = new LogRecord.Ext(key.isEmpty() ? null : key, expiresAt, (flags & 1) != 0, maxReserves,
                    (flags & 2) != 0);
        }
        return new LogRecord(type, id, state, pri, ttr, delay, readyAt, createdAt, reserves, timeouts, releases,
                buries, kicks, tube, body, ext, null);
    }
}
