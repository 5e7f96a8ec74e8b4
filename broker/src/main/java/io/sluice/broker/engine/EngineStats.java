package io.sluice.broker.engine;

import io.sluice.broker.protocol.JobState;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The counters behind {@code stats}, and the YAML of {@code stats}, {@code stats-tube}, {@code stats-job} and the
 * list commands, byte for byte as beanstalkd 1.12 prints them (same keys, order and number formats).
 *
 * <p>Thread rule: engine thread only.
 */
final class EngineStats {
    private static final Op[] OPS = Op.values();

    private final Engine engine;
    private final ServerInfo info;
    private final long maxJobSize;
    private final long binlogMaxSize;
    private final long startedAt;
    private final long[] cmd = new long[OPS.length];

    long urgent;
    long ready;
    long reserved;
    long delayed;
    long buried;
    long reserves;
    long jobTimeouts;
    long totalJobs;
    long currentConnections;
    long totalConnections;
    long producers;
    long workers;
    long waiting;

    EngineStats(Engine engine, ServerInfo info, long maxJobSize, long binlogMaxSize, long startedAt) {
        this.engine = engine;
        this.info = info;
        this.maxJobSize = maxJobSize;
        this.binlogMaxSize = binlogMaxSize;
        this.startedAt = startedAt;
    }

    void count(Op op) {
        cmd[op.ordinal()]++;
    }

    long count(String statName) {
        for (Op op : OPS) {
            if (statName.equals(op.statName)) {
                return cmd[op.ordinal()];
            }
        }
        throw new IllegalArgumentException(statName);
    }

    byte[] global() {
        Yaml y = new Yaml();
        y.line("current-jobs-urgent", urgent);
        y.line("current-jobs-ready", ready);
        y.line("current-jobs-reserved", reserved);
        y.line("current-jobs-delayed", delayed);
        y.line("current-jobs-buried", buried);
        for (Op op : OPS) {
            if (op.statName != null) {
                y.line(op.statName, cmd[op.ordinal()]);
            }
        }
        y.line("job-timeouts", jobTimeouts);
        y.line("total-jobs", totalJobs);
        y.line("max-job-size", maxJobSize);
        y.line("current-tubes", engine.tubes.size());
        y.line("current-connections", currentConnections);
        y.line("current-producers", producers);
        y.line("current-workers", workers);
        y.line("current-waiting", waiting);
        y.line("total-connections", totalConnections);
        y.line("pid", info.pid());
        y.text("version", "\"" + info.version() + "\"");
        y.text("rusage-utime", micros(info.userCpuMicros()));
        y.text("rusage-stime", micros(info.systemCpuMicros()));
        y.line("uptime", (engine.now - startedAt) / Engine.SECOND);
        Journal j = engine.journal;
        y.line("binlog-oldest-index", j == null ? 0 : j.oldestSequence());
        y.line("binlog-current-index", j == null ? 0 : j.currentSequence());
        y.line("binlog-records-migrated", j == null ? 0 : j.recordsMigrated);
        y.line("binlog-records-written", j == null ? 0 : j.recordsWritten);
        y.line("binlog-max-size", binlogMaxSize);
        y.text("draining", engine.draining ? "true" : "false");
        y.text("id", info.id());
        y.text("hostname", info.hostname());
        y.text("os", info.os());
        y.text("platform", info.platform());
        return y.bytes();
    }

    byte[] tube(Tube t) {
        Yaml y = new Yaml();
        y.text("name", t.name);
        y.line("current-jobs-urgent", t.urgentCount);
        y.line("current-jobs-ready", t.ready.size());
        y.line("current-jobs-reserved", t.reservedCount);
        y.line("current-jobs-delayed", t.delayed.size());
        y.line("current-jobs-buried", t.buried.size());
        y.line("total-jobs", t.totalJobs);
        y.line("current-using", t.usingCount);
        y.line("current-watching", t.watchingCount);
        y.line("current-waiting", t.waiting.size());
        y.line("cmd-delete", t.cmdDelete);
        y.line("cmd-pause-tube", t.cmdPauseTube);
        y.line("pause", t.pauseDuration / Engine.SECOND);
        y.line("pause-time-left", t.paused() ? (t.unpauseAt - engine.now) / Engine.SECOND : 0);
        return y.bytes();
    }

    byte[] job(Job j) {
        long now = engine.now;
        boolean timed = j.state() == JobState.RESERVED || j.state() == JobState.DELAYED;
        Yaml y = new Yaml();
        y.line("id", j.id);
        y.text("tube", j.tube.name);
        y.text("state", j.state().wireName());
        y.line("pri", j.pri());
        y.line("age", (now - j.createdAt) / Engine.SECOND);
        y.line("delay", j.delay() / Engine.SECOND);
        y.line("ttr", j.ttr() / Engine.SECOND);
        y.line("time-left", timed ? (j.deadline - now) / Engine.SECOND : 0);
        y.line("file", j instanceof Anchored a && a.anchor() != null ? a.anchor().sequence : 0);
        y.line("reserves", j.reserves());
        y.line("timeouts", j.timeouts());
        y.line("releases", j.releases());
        y.line("buries", j.buries());
        y.line("kicks", j.kicks());
        return y.bytes();
    }

    /** {@code stats-log} in memory. */
    static byte[] noLog() {
        return "---\ndurable: false\n".getBytes(StandardCharsets.ISO_8859_1);
    }

    /** {@code list-tubes} / {@code list-tubes-watched}: "---\n" then "- name\n" per tube. */
    static byte[] list(List<Tube> tubes) {
        StringBuilder sb = new StringBuilder(16 * tubes.size() + 4).append("---\n");
        for (int i = 0; i < tubes.size(); i++) {
            sb.append("- ").append(tubes.get(i).name).append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String micros(long us) {
        long frac = us % 1_000_000;
        String f = Long.toString(frac);
        return (us / 1_000_000) + "." + "000000".substring(f.length()) + f;
    }

    /** A flat YAML mapping as beanstalkd writes it. */
    private static final class Yaml {
        private final StringBuilder sb = new StringBuilder(1024).append("---\n");

        void line(String key, long value) {
            sb.append(key).append(": ").append(value).append('\n');
        }

        void text(String key, String value) {
            sb.append(key).append(": ").append(value).append('\n');
        }

        byte[] bytes() {
            return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
        }
    }
}
