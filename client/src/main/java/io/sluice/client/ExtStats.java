package io.sluice.client;

import java.time.Duration;
import java.util.Map;

/**
 * The reply to {@code stats-ext} (Sluice, PROTOCOL.md §7.10): the extensions' figures, which {@code stats} leaves
 * out to stay exactly as beanstalkd's. A key the broker did not send reads as 0. Immutable; any thread.
 *
 * @param currentJobsKeyed        live jobs that have a unique key
 * @param currentFinishedRetained finished jobs remembered for {@code job-state} (and holding their keys)
 * @param totalAutoBuried         jobs buried on reaching their reserve limit
 * @param currentSchedules        recurring jobs
 * @param totalFired              jobs put by schedules
 * @param retention               how long a finished job is remembered
 * @param retentionMax            how many finished jobs are remembered at most
 * @param raw                     every key as sent, in order
 */
public record ExtStats(long currentJobsKeyed, long currentFinishedRetained, long totalCompleted, long totalDeleted,
                       long totalCancelled, long totalExpired, long totalAutoBuried, long currentSchedules,
                       long totalFired, Duration retention, long retentionMax, Map<String, String> raw) {

    static ExtStats parse(byte[] yaml) {
        Map<String, String> m = Yaml.map(yaml);
        return new ExtStats(Yaml.num(m, "current-jobs-keyed"), Yaml.num(m, "current-finished-retained"),
                Yaml.num(m, "total-completed"), Yaml.num(m, "total-deleted"), Yaml.num(m, "total-cancelled"),
                Yaml.num(m, "total-expired"), Yaml.num(m, "total-auto-buried"), Yaml.num(m, "current-schedules"),
                Yaml.num(m, "total-fired"), Duration.ofMillis(Yaml.num(m, "retention-ms")),
                Yaml.num(m, "retention-max"), m);
    }
}
