package io.sluice.broker.log;

/**
 * A recurring job's definition and progress (SCHEDULE), or its removal (UNSCHEDULE: only tube and name).
 *
 * <p>Thread rule: immutable; any thread.
 *
 * @param nextAtMillis wall-clock ms of the next firing; one in the past at recovery is a missed firing
 * @param addedAtMillis when the schedule was added (the anchor of {@code @every})
 */
public record ScheduleRecord(boolean removed, String tube, String name, String spec, String zone, long pri,
                             long ttr, byte[] body, long addedAtMillis, long nextAtMillis, long fired) {

    public static ScheduleRecord removal(String tube, String name) {
        return new ScheduleRecord(true, tube, name, "", "", 0, 0, new byte[0], 0, 0, 0);
    }
}
