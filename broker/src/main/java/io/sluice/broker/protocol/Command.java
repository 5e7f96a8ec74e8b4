package io.sluice.broker.protocol;

/**
 * One decoded client command. Pure data: no Netty types, so the engine can consume it.
 *
 * <p>Thread rule: immutable; built on an event loop, read on the engine thread. A {@link Put}'s body array is
 * handed over and never written again.
 *
 * <p>Numbers that beanstalkd treats as u32 (priority, seconds) are carried in a {@code long} holding the unsigned
 * value; ids are u64 carried in a {@code long} bit pattern (an id above {@link Long#MAX_VALUE} can never exist,
 * the engine answers NOT_FOUND for it).
 */
public sealed interface Command {

    /** {@code put <pri> <delay> <ttr> <bytes>} with its body (CRLF stripped). */
    record Put(long pri, long delaySeconds, long ttrSeconds, byte[] body) implements Command {
        @Override
        public String toString() {
            return "Put[pri=" + pri + ", delay=" + delaySeconds + ", ttr=" + ttrSeconds + ", bytes=" + body.length + "]";
        }
    }

    /** A put whose header parsed but whose body did not end in CRLF: counts as a put and consumes an id. */
    record PutBadBody() implements Command { }

    /**
     * The connection ended in the middle of a put body. beanstalkd had already counted the put and allocated its
     * id when the header arrived, so the engine does both; no reply.
     */
    record PutAbandoned() implements Command { }

    /**
     * The connection ended while the body of a too-big put was being skipped. beanstalkd had already counted the put
     * (but allocated no id and did not mark a producer); no reply.
     */
    record PutTooBigAbandoned() implements Command { }

    record Use(String tube) implements Command { }

    record Watch(String tube) implements Command { }

    record Ignore(String tube) implements Command { }

    /**
     * {@code reserve} (timeoutSeconds &lt; 0) or {@code reserve-with-timeout <s>}; {@code withTimeout} says which
     * command it was, for its stats counter: {@code reserve-with-timeout -1} waits forever like {@code reserve} but
     * counts as {@code cmd-reserve-with-timeout}, as in beanstalkd.
     */
    record Reserve(long timeoutSeconds, boolean withTimeout) implements Command {
        public Reserve(long timeoutSeconds) {
            this(timeoutSeconds, timeoutSeconds >= 0);
        }

        public boolean hasTimeout() {
            return timeoutSeconds >= 0;
        }
    }

    record ReserveJob(long id) implements Command { }

    record Delete(long id) implements Command { }

    record Release(long id, long pri, long delaySeconds) implements Command { }

    record Bury(long id, long pri) implements Command { }

    record Touch(long id) implements Command { }

    record Peek(long id) implements Command { }

    /** peek-ready, peek-delayed, peek-buried: on the used tube. */
    record PeekState(JobState state) implements Command { }

    record Kick(long bound) implements Command { }

    record KickJob(long id) implements Command { }

    record StatsJob(long id) implements Command { }

    record StatsTube(String tube) implements Command { }

    record Stats() implements Command { }

    record ListTubes() implements Command { }

    record ListTubeUsed() implements Command { }

    record ListTubesWatched() implements Command { }

    record PauseTube(String tube, long delaySeconds) implements Command { }

    /** Sluice extension: the durable log's segments with their live and dead bytes. */
    record StatsLog() implements Command { }

    // ---- Sluice extensions (PROTOCOL.md §7); durations in nanoseconds, ids as for beanstalkd's commands.

    /** {@code put-ex}: a put with a key, a TTL, an expiry action and a reserve limit (-1: the tube's). */
    record PutEx(long pri, long delayNanos, long ttrNanos, byte[] body, String key, long ttlNanos,
                 boolean onExpireBury, long maxReserves) implements Command {
        @Override
        public String toString() {
            return "PutEx[pri=" + pri + ", delay=" + delayNanos + ", ttr=" + ttrNanos + ", bytes=" + body.length
                    + ", key=" + key + ", ttl=" + ttlNanos + ", bury=" + onExpireBury + ", maxReserves=" + maxReserves
                    + "]";
        }
    }

    record PeekKey(String key) implements Command { }

    record DeleteKey(String key) implements Command { }

    /** {@code job-state <id>} (key null) or {@code job-state-key <key>}. */
    record JobStateOf(long id, String key) implements Command { }

    /** {@code cancel <id>} (key null) or {@code cancel-key <key>}. */
    record Cancel(long id, String key) implements Command { }

    record ReleaseEx(long id, long pri, long delayNanos) implements Command { }

    record ReserveEx(long timeoutNanos) implements Command { }

    record ListJobs(String tube, JobState state, int limit, long afterId) implements Command { }

    record ClearTube(String tube) implements Command { }

    record TubeSet(String tube, long maxReserves) implements Command { }

    record TubeSettingsOf(String tube) implements Command { }

    /** {@code schedule-add}: a named recurring put into the used tube; spec and zone checked by the engine. */
    record ScheduleAdd(String name, long pri, long ttrNanos, String spec, String zone, byte[] body)
            implements Command {
        @Override
        public String toString() {
            return "ScheduleAdd[name=" + name + ", pri=" + pri + ", ttr=" + ttrNanos + ", spec=" + spec + ", tz=" + zone
                    + ", bytes=" + body.length + "]";
        }
    }

    record ScheduleRemove(String name) implements Command { }

    record ScheduleList() implements Command { }

    record StatsExt() implements Command { }

    record Quit() implements Command { }

    /**
     * A line that produced an error reply in the decoder. It still travels through the engine so that its reply
     * stays in order behind the replies of earlier commands, and so that beanstalkd's counters that count
     * rejected lines ({@code cmd-put}, {@code cmd-pause-tube}) stay exact.
     */
    record Invalid(Reply reply, Counted countedAs) implements Command { }

    /** Which {@code cmd-*} counter an {@link Invalid} line still increments, as beanstalkd does. */
    enum Counted { NONE, PUT, PAUSE_TUBE }
}
