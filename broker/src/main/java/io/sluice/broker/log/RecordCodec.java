package io.sluice.broker.log;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * {@link LogRecord} to framed bytes and back (layout in {@link LogFormat}).
 *
 * <p>Thread rule: stateless static methods; any thread.
 */
public final class RecordCodec {
    private RecordCodec() {
    }

    /** The whole framed record: length, CRC, payload. */
    public static byte[] encode(LogRecord r) {
        int payload;
        if (r.type() == LogFormat.DELETE) {
            payload = LogFormat.DELETE_BODY;
        } else if (r.type() == LogFormat.STATE) {
            payload = LogFormat.STATE_BODY;
        } else {
            payload = LogFormat.STATE_BODY + 1 + r.tube().length() + 4 + r.body().length;
        }
        byte[] out = new byte[LogFormat.FRAME_SIZE + payload];
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(payload + 4);
        b.putInt(0); // crc, below
        b.put(r.type());
        b.putLong(r.id());
        if (r.type() != LogFormat.DELETE) {
            b.put(r.state());
            b.putInt((int) r.pri());
            b.putLong(r.ttr());
            b.putLong(r.delay());
            b.putLong(r.readyAtMillis());
            b.putLong(r.createdAtMillis());
            b.putInt(r.reserves()).putInt(r.timeouts()).putInt(r.releases()).putInt(r.buries()).putInt(r.kicks());
            if (r.type() == LogFormat.JOB) {
                byte[] tube = r.tube().getBytes(StandardCharsets.US_ASCII);
                b.put((byte) tube.length);
                b.put(tube);
                b.putInt(r.body().length);
                b.put(r.body());
            }
        }
        CRC32C crc = new CRC32C();
        crc.update(out, LogFormat.FRAME_SIZE, payload);
        ByteBuffer.wrap(out, 4, 4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) crc.getValue());
        return out;
    }

    /** Thrown for a record that fails its checks: the reason and where. */
    public static final class CorruptRecordException extends Exception {
        private static final long serialVersionUID = 1L;

        public CorruptRecordException(String message) {
            super(message);
        }
    }

    /**
     * Decodes the payload (type .. end) of a record whose frame was already checked (length and CRC).
     */
    public static LogRecord decodePayload(ByteBuffer b) throws CorruptRecordException {
        b.order(ByteOrder.LITTLE_ENDIAN);
        try {
            byte type = b.get();
            long id = b.getLong();
            if (type == LogFormat.DELETE) {
                return LogRecord.delete(id);
            }
            if (type != LogFormat.JOB && type != LogFormat.STATE) {
                throw new CorruptRecordException("unknown record type " + type);
            }
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
                byte[] t = new byte[b.get() & 0xFF];
                b.get(t);
                tube = new String(t, StandardCharsets.US_ASCII);
                int len = b.getInt();
                if (len < 0 || len > b.remaining()) {
                    throw new CorruptRecordException("body length " + len + " exceeds the record");
                }
                body = new byte[len];
                b.get(body);
            }
            if (b.hasRemaining()) {
                throw new CorruptRecordException(b.remaining() + " unexpected bytes after the record");
            }
            return new LogRecord(type, id, state, pri, ttr, delay, readyAt, createdAt, reserves, timeouts, releases,
                    buries, kicks, tube, body);
        } catch (java.nio.BufferUnderflowException e) {
            throw new CorruptRecordException("record shorter than its type requires");
        }
    }
}
