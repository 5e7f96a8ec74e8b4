package io.sluice.client;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The reply to {@code job-state} / {@code job-state-key} (Sluice, PROTOCOL.md §7.3): a live job, or a finished one
 * the broker still retains (§7.5). Immutable; any thread.
 *
 * @param key             the job's unique key, or the empty string for a job put without one
 * @param pri             the priority (0 for a finished job)
 * @param age             time since the put, to the millisecond (zero for a finished job)
 * @param reserves        times reserved (0 for a finished job)
 * @param ttlLeft         time to live left; empty for a job without a TTL (zero for a finished job)
 * @param cancelRequested whether a {@code cancel} marked this reserved job (its worker has not learned yet)
 * @param finishedAt      when the job finished; empty while it is live
 * @param raw             every key as sent, in order
 */
public record JobState(long id, String key, String tube, State state, long pri, Duration age, long reserves,
                       Optional<Duration> ttlLeft, boolean cancelRequested, Optional<Instant> finishedAt,
                       Map<String, String> raw) {

    /** A job's state: the four live ones of beanstalkd, and how a retained finished job ended. Any thread. */
    public enum State {
        READY("ready"), DELAYED("delayed"), RESERVED("reserved"), BURIED("buried"),
        /** Deleted by the connection that had it reserved: the work was done. */
        COMPLETED("completed"),
        /** Deleted while not reserved: {@code delete}, {@code delete-key} or {@code clear-tube}. */
        DELETED("deleted"),
        CANCELLED("cancelled"),
        /** Its TTL ended first. */
        EXPIRED("expired");

        private final String wireName;

        State(String wireName) {
            this.wireName = wireName;
        }

        /** The name on the wire ({@code ready}, ..., {@code expired}). */
        public String wireName() {
            return wireName;
        }

        /** Whether this is how a job finished (it is no longer in any tube). */
        public boolean isFinished() {
            return ordinal() > BURIED.ordinal();
        }

        static State of(String wireName) {
            for (State s : values()) {
                if (s.wireName.equals(wireName)) {
                    return s;
                }
            }
            throw new UnexpectedReplyException("unknown job state: " + wireName);
        }
    }

    static JobState parse(byte[] yaml) {
        Map<String, String> m = Yaml.map(yaml);
        long ttl = Yaml.num(m, "ttl-left-ms");
        long finished = Yaml.num(m, "finished-at");
        return new JobState(Yaml.num(m, "id"), Yaml.str(m, "key"), Yaml.str(m, "tube"),
                State.of(Yaml.str(m, "state")), Yaml.num(m, "pri"), Duration.ofMillis(Yaml.num(m, "age-ms")),
                Yaml.num(m, "reserves"), ttl < 0 ? Optional.empty() : Optional.of(Duration.ofMillis(ttl)),
                "true".equals(m.get("cancel-requested")),
                finished == 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(finished)), m);
    }
}
