package io.sluice.broker.engine;

import io.sluice.broker.protocol.JobState;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The YAML of the extension commands (PROTOCOL.md §7): {@code job-state}, {@code list-jobs}, {@code schedule-list},
 * {@code stats-ext}. Keys, names and specs are single-quoted scalars, so any printable byte is safe.
 *
 * <p>Thread rule: engine thread only (reads engine state).
 */
final class ExtYaml {
    private ExtYaml() {
    }

    static byte[] jobState(Job j, long now) {
        JobExt x = j.ext();
        StringBuilder sb = new StringBuilder(256).append("---\n");
        sb.append("id: ").append(j.id).append('\n');
        sb.append("key: ").append(quote(x == null ? null : x.key)).append('\n');
        sb.append("tube: ").append(quote(j.tube.name)).append('\n');
        sb.append("state: ").append(j.state().wireName()).append('\n');
        sb.append("pri: ").append(j.pri()).append('\n');
        sb.append("age-ms: ").append((now - j.createdAt) / 1_000_000).append('\n');
        sb.append("delay-ms: ").append(j.delay() / 1_000_000).append('\n');
        sb.append("ttr-ms: ").append(j.ttr() / 1_000_000).append('\n');
        boolean timed = j.state() == JobState.RESERVED || j.state() == JobState.DELAYED;
        sb.append("time-left-ms: ").append(timed ? Math.max(0, (j.deadline - now) / 1_000_000) : 0).append('\n');
        sb.append("reserves: ").append(j.reserves()).append('\n');
        long ttlLeft = x == null || x.expiresAt == 0 ? (x != null && (x.expired || x.ttlEnded) ? 0 : -1)
                : Math.max(0, (x.expiresAt - now) / 1_000_000);
        sb.append("ttl-left-ms: ").append(ttlLeft).append('\n');
        sb.append("cancel-requested: ").append(x != null && x.cancelRequested).append('\n');
        sb.append("finished-at: 0\n");
        return bytes(sb);
    }

    static byte[] jobState(Finished f) {
        StringBuilder sb = new StringBuilder(192).append("---\n");
        sb.append("id: ").append(f.id).append('\n');
        sb.append("key: ").append(quote(f.key)).append('\n');
        sb.append("tube: ").append(quote(f.tube)).append('\n');
        sb.append("state: ").append(f.kind.wireName).append('\n');
        sb.append("pri: 0\nage-ms: 0\ndelay-ms: 0\nttr-ms: 0\ntime-left-ms: 0\nreserves: 0\nttl-left-ms: 0\n"
                + "cancel-requested: false\n");
        sb.append("finished-at: ").append(f.finishedAt).append('\n');
        return bytes(sb);
    }

    static byte[] jobList(List<Job> page, long next, long now) {
        StringBuilder sb = new StringBuilder(64 + 80 * page.size()).append("---\n");
        if (page.isEmpty()) {
            sb.append("jobs: []\n");
        } else {
            sb.append("jobs:\n");
            for (Job j : page) {
                sb.append("- {id: ").append(j.id).append(", pri: ").append(j.pri())
                        .append(", age-ms: ").append((now - j.createdAt) / 1_000_000)
                        .append(", bytes: ").append(j.body.length).append(", reserves: ").append(j.reserves())
                        .append(", key: ").append(quote(j.key())).append("}\n");
            }
        }
        sb.append("next: ").append(next).append('\n');
        return bytes(sb);
    }

    static byte[] schedules(List<Schedule> all) {
        if (all.isEmpty()) {
            return bytes(new StringBuilder("--- []\n"));
        }
        StringBuilder sb = new StringBuilder(128 * all.size()).append("---\n");
        for (Schedule s : all) {
            sb.append("- {tube: ").append(quote(s.tube)).append(", name: ").append(quote(s.name))
                    .append(", spec: ").append(quote(s.spec)).append(", tz: ").append(quote(s.zone))
                    .append(", pri: ").append(s.pri).append(", ttr-ms: ").append(s.ttr / 1_000_000)
                    .append(", bytes: ").append(s.body.length)
                    .append(", next-at: ").append(s.nextAtWall == Long.MAX_VALUE ? 0 : s.nextAtWall)
                    .append(", fired: ").append(s.fired).append("}\n");
        }
        return bytes(sb);
    }

    static byte[] tubeSettings(String tube, long maxReserves) {
        return bytes(new StringBuilder("---\nname: ").append(quote(tube)).append("\nmax-reserves: ")
                .append(maxReserves).append('\n'));
    }

    static byte[] stats(Extensions x, int schedules) {
        StringBuilder sb = new StringBuilder(512).append("---\n");
        sb.append("current-jobs-keyed: ").append(x.keyed).append('\n');
        sb.append("current-finished-retained: ").append(x.finished.size()).append('\n');
        sb.append("total-completed: ").append(x.totalCompleted).append('\n');
        sb.append("total-deleted: ").append(x.totalDeleted).append('\n');
        sb.append("total-cancelled: ").append(x.totalCancelled).append('\n');
        sb.append("total-expired: ").append(x.totalExpired).append('\n');
        sb.append("total-auto-buried: ").append(x.autoBuried).append('\n');
        sb.append("current-schedules: ").append(schedules).append('\n');
        sb.append("total-fired: ").append(x.totalFired).append('\n');
        sb.append("retention-ms: ").append(x.finished.retentionMillis()).append('\n');
        sb.append("retention-max: ").append(x.finished.max()).append('\n');
        return bytes(sb);
    }

    /** A YAML single-quoted scalar; null is ''. */
    static String quote(String s) {
        return s == null ? "''" : "'" + s.replace("'", "''") + "'";
    }

    private static byte[] bytes(StringBuilder sb) {
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }
}
