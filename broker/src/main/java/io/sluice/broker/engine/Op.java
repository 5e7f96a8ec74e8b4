package io.sluice.broker.engine;

/** The commands beanstalkd counts in {@code stats}, in its print order. Any thread (immutable). */
enum Op {
    PUT("cmd-put"), PEEK("cmd-peek"), PEEK_READY("cmd-peek-ready"), PEEK_DELAYED("cmd-peek-delayed"),
    PEEK_BURIED("cmd-peek-buried"), RESERVE("cmd-reserve"), RESERVE_WITH_TIMEOUT("cmd-reserve-with-timeout"),
    DELETE("cmd-delete"), RELEASE("cmd-release"), USE("cmd-use"), WATCH("cmd-watch"), IGNORE("cmd-ignore"),
    BURY("cmd-bury"), KICK("cmd-kick"), TOUCH("cmd-touch"), STATS("cmd-stats"), STATS_JOB("cmd-stats-job"),
    STATS_TUBE("cmd-stats-tube"), LIST_TUBES("cmd-list-tubes"), LIST_TUBE_USED("cmd-list-tube-used"),
    LIST_TUBES_WATCHED("cmd-list-tubes-watched"), PAUSE_TUBE("cmd-pause-tube"),
    // Counted but, as in beanstalkd, not printed by stats.
    RESERVE_JOB(null), KICK_JOB(null);

    final String statName;

    Op(String statName) {
        this.statName = statName;
    }
}
