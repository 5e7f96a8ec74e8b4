package io.sluice.broker.protocol;

/** A job's state, named as {@code stats-job} prints it. Immutable; any thread. */
public enum JobState {
    READY("ready"), DELAYED("delayed"), RESERVED("reserved"), BURIED("buried");

    private final String wireName;

    JobState(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
