package io.sluice.broker.log;

/**
 * One decoded job record (JOB, STATE or DELETE). For DELETE only {@code type}, {@code id} and {@code finish} mean
 * anything; for STATE, {@code tube} and {@code body} are null. {@code ext} (extension fields) and {@code finish}
 * (how a deleted job finished) are null when the record carries none.
 *
 * <p>Thread rule: immutable; any thread.
 */
public record LogRecord(byte type, long id, byte state, long pri, long ttr, long delay, long readyAtMillis,
                        long createdAtMillis, int reserves, int timeouts, int releases, int buries, int kicks,
                        String tube, byte[] body, Ext ext, Finish finish) {

    /** A job's extension fields (PROTOCOL.md §7): key or null, expiry (0: none), reserve limit (-1: the tube's). */
    public record Ext(String key, long expiresAtMillis, boolean onExpireBury, long maxReserves,
                      boolean cancelRequested) { }

    /** How and when a job finished, and what its state lookup shows (kind is a {@link LogFormat} FINISHED_*). */
    public record Finish(byte kind, long finishedAtMillis, String tube, String key) { }

    /** A record without extension fields. */
    public LogRecord(byte type, long id, byte state, long pri, long ttr, long delay, long readyAtMillis,
                     long createdAtMillis, int reserves, int timeouts, int releases, int buries, int kicks,
                     String tube, byte[] body) {
        this(type, id, state, pri, ttr, delay, readyAtMillis, createdAtMillis, reserves, timeouts, releases, buries,
                kicks, tube, body, null, null);
    }

    public static LogRecord delete(long id) {
        return delete(id, null);
    }

    public static LogRecord delete(long id, Finish finish) {
        return new LogRecord(LogFormat.DELETE, id, (byte) 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, null, null, null, finish);
    }

    /** This record's fields with {@code tube} and {@code body} from the job's JOB record (recovery's merge). */
    public LogRecord asJob(String jobTube, byte[] jobBody) {
        return new LogRecord(LogFormat.JOB, id, state, pri, ttr, delay, readyAtMillis, createdAtMillis, reserves,
                timeouts, releases, buries, kicks, jobTube, jobBody, ext, null);
    }
}
