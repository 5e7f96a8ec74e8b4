package io.sluice.bench;

import io.sluice.broker.log.LogFormat;
import io.sluice.broker.log.LogRecord;

/**
 * The log records the engine writes for the benchmark workload: a JOB record for a put (100-byte body, tube
 * {@code default}), as {@code Journal.writeJob} builds it.
 *
 * <p>Thread rule: static; any thread.
 */
final class LogRecords {
    private LogRecords() {
    }

    static LogRecord job(long id, byte[] body) {
        return new LogRecord(LogFormat.JOB, id, LogFormat.READY, Workload.PRI, Workload.TTR * 1_000_000_000L,
                Workload.DELAY, 0, System.currentTimeMillis(), 0, 0, 0, 0, 0, "default", body);
    }
}
