package io.sluice.broker.log;

/**
 * One decoded log record. For DELETE only {@code type} and {@code id} mean anything; for STATE, {@code tube} and
 * {@code body} are null.
 *
 * <p>Thread rule: immutable; any thread.
 */
public record LogRecord(byte type, long id, byte state, long pri, long ttr, long delay, long readyAtMillis,
                        long createdAtMillis, int reserves, int timeouts, int releases, int buries, int kicks,
                        String tube, byte[] body) {

    public static LogRecord delete(long id) {
        return new LogRecord(LogFormat.DELETE, id, (byte) 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, null, null);
    }
}
