package io.sluice.client;

import java.util.Map;

/**
 * The reply to {@code stats}: beanstalkd's 51 documented keys, typed (a key the server did not send reads as 0,
 * {@code false} or the empty string), plus every key as sent in {@link #raw()}. {@code version}, {@code hostname},
 * {@code os} and {@code platform} lose their quotes; {@code id} is the server's random hex id; the rusage times are
 * seconds.
 */
public record ServerStats(
        long currentJobsUrgent, long currentJobsReady, long currentJobsReserved, long currentJobsDelayed,
        long currentJobsBuried, long cmdPut, long cmdPeek, long cmdPeekReady, long cmdPeekDelayed,
        long cmdPeekBuried, long cmdReserve, long cmdReserveWithTimeout, long cmdDelete, long cmdRelease,
        long cmdUse, long cmdWatch, long cmdIgnore, long cmdBury, long cmdKick, long cmdTouch, long cmdStats,
        long cmdStatsJob, long cmdStatsTube, long cmdListTubes, long cmdListTubeUsed, long cmdListTubesWatched,
        long cmdPauseTube, long jobTimeouts, long totalJobs, long maxJobSize, long currentTubes,
        long currentConnections, long currentProducers, long currentWorkers, long currentWaiting,
        long totalConnections, long pid, String version, double rusageUtime, double rusageStime, long uptime,
        long binlogOldestIndex, long binlogCurrentIndex, long binlogRecordsMigrated, long binlogRecordsWritten,
        long binlogMaxSize, boolean draining, String id, String hostname, String os, String platform,
        Map<String, String> raw) {

    static ServerStats parse(byte[] yaml) {
        Map<String, String> m = Yaml.map(yaml);
        return new ServerStats(
                Yaml.num(m, "current-jobs-urgent"), Yaml.num(m, "current-jobs-ready"),
                Yaml.num(m, "current-jobs-reserved"), Yaml.num(m, "current-jobs-delayed"),
                Yaml.num(m, "current-jobs-buried"), Yaml.num(m, "cmd-put"), Yaml.num(m, "cmd-peek"),
                Yaml.num(m, "cmd-peek-ready"), Yaml.num(m, "cmd-peek-delayed"), Yaml.num(m, "cmd-peek-buried"),
                Yaml.num(m, "cmd-reserve"), Yaml.num(m, "cmd-reserve-with-timeout"), Yaml.num(m, "cmd-delete"),
                Yaml.num(m, "cmd-release"), Yaml.num(m, "cmd-use"), Yaml.num(m, "cmd-watch"),
                Yaml.num(m, "cmd-ignore"), Yaml.num(m, "cmd-bury"), Yaml.num(m, "cmd-kick"),
                Yaml.num(m, "cmd-touch"), Yaml.num(m, "cmd-stats"), Yaml.num(m, "cmd-stats-job"),
                Yaml.num(m, "cmd-stats-tube"), Yaml.num(m, "cmd-list-tubes"), Yaml.num(m, "cmd-list-tube-used"),
                Yaml.num(m, "cmd-list-tubes-watched"), Yaml.num(m, "cmd-pause-tube"), Yaml.num(m, "job-timeouts"),
                Yaml.num(m, "total-jobs"), Yaml.num(m, "max-job-size"), Yaml.num(m, "current-tubes"),
                Yaml.num(m, "current-connections"), Yaml.num(m, "current-producers"), Yaml.num(m, "current-workers"),
                Yaml.num(m, "current-waiting"), Yaml.num(m, "total-connections"), Yaml.num(m, "pid"),
                Yaml.str(m, "version"), Yaml.decimal(m, "rusage-utime"), Yaml.decimal(m, "rusage-stime"),
                Yaml.num(m, "uptime"), Yaml.num(m, "binlog-oldest-index"), Yaml.num(m, "binlog-current-index"),
                Yaml.num(m, "binlog-records-migrated"), Yaml.num(m, "binlog-records-written"),
                Yaml.num(m, "binlog-max-size"), "true".equals(m.get("draining")), Yaml.str(m, "id"),
                Yaml.str(m, "hostname"), Yaml.str(m, "os"), Yaml.str(m, "platform"), m);
    }
}
