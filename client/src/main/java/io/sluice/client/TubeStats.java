package io.sluice.client;

import java.util.Map;

/**
 * The reply to {@code stats-tube}.
 *
 * @param pause         length in seconds of the current (or last, until it is cleared) pause
 * @param pauseTimeLeft seconds until the pause ends, 0 when not paused
 * @param raw           every key as sent, in order
 */
public record TubeStats(String name, long currentJobsUrgent, long currentJobsReady, long currentJobsReserved,
                        long currentJobsDelayed, long currentJobsBuried, long totalJobs, long currentUsing,
                        long currentWatching, long currentWaiting, long cmdDelete, long cmdPauseTube, long pause,
                        long pauseTimeLeft, Map<String, String> raw) {

    static TubeStats parse(byte[] yaml) {
        Map<String, String> m = Yaml.map(yaml);
        return new TubeStats(Yaml.str(m, "name"), Yaml.num(m, "current-jobs-urgent"),
                Yaml.num(m, "current-jobs-ready"), Yaml.num(m, "current-jobs-reserved"),
                Yaml.num(m, "current-jobs-delayed"), Yaml.num(m, "current-jobs-buried"), Yaml.num(m, "total-jobs"),
                Yaml.num(m, "current-using"), Yaml.num(m, "current-watching"), Yaml.num(m, "current-waiting"),
                Yaml.num(m, "cmd-delete"), Yaml.num(m, "cmd-pause-tube"), Yaml.num(m, "pause"),
                Yaml.num(m, "pause-time-left"), m);
    }
}
