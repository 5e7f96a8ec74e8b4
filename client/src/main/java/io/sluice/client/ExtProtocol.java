package io.sluice.client;

import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;

/**
 * Sluice's extension commands (PROTOCOL.md §7) as {@link Request}s: argument checks, encoding, reply decoding. Only a
 * Sluice broker knows them; beanstalkd answers each {@code UNKNOWN_COMMAND} or {@code BAD_FORMAT}, which surface as
 * {@link UnknownCommandException} / {@link BadFormatException}. Stateless; any thread.
 */
final class ExtProtocol {
    /** The broker's line limit (224 bytes) without the CRLF. */
    static final int MAX_LINE = 222;
    /** Largest duration the broker accepts: 2^32-1 seconds. */
    static final long MAX_MILLIS = Protocol.MAX_U32 * 1000;
    static final int MAX_LIST_LIMIT = 1000;

    private ExtProtocol() {
    }

    // ---- producer

    static Request<PutResult> putEx(long pri, Duration delay, Duration ttr, byte[] body, PutOptions options) {
        if (options == null) {
            throw new IllegalArgumentException("options: null (use PutOptions.none())");
        }
        String line = "put-ex " + Protocol.u32("priority", pri) + ' ' + duration("delay", delay) + ' '
                + duration("ttr", ttr) + ' ' + bodyLength(body) + options.wire();
        return withBody(line, body, (r, s) -> {
            switch (r.word()) {
                case "INSERTED":
                    return new PutResult(number(r, line), true);
                case "EXISTS":
                    return new PutResult(number(r, line), false);
                case "BURIED":
                    throw new BuriedException(r.line() + " (" + line + ")", r.number(1));
                default:
                    throw bodyError(r, line);
            }
        });
    }

    // ---- lookups by key

    static Request<Optional<Job>> peekKey(String key) {
        String line = line("peek-key " + key(key));
        return Protocol.simple(line, (r, s) -> {
            if (r.line().equals("NOT_FOUND")) {
                return Optional.empty();
            }
            Protocol.expect(r, "FOUND", line);
            return Optional.of(new Job(r.number(1), r.body()));
        });
    }

    static Request<Void> deleteKey(String key) {
        String line = line("delete-key " + key(key));
        return Protocol.simple(line, Protocol.word("DELETED", line));
    }

    static Request<Optional<JobState>> jobState(long id) {
        return jobStateCommand("job-state " + Long.toUnsignedString(id));
    }

    static Request<Optional<JobState>> jobStateByKey(String key) {
        return jobStateCommand(line("job-state-key " + key(key)));
    }

    // ---- cancellation

    static Request<Cancellation> cancel(long id) {
        return cancelCommand("cancel " + Long.toUnsignedString(id));
    }

    static Request<Cancellation> cancelByKey(String key) {
        return cancelCommand(line("cancel-key " + key(key)));
    }

    // ---- tubes

    /** A tube that does not exist has no jobs: its NOT_FOUND is an empty last page. */
    static Request<JobPage> listJobs(String tube, JobState.State state, int limit, long afterId) {
        if (state == null || state.isFinished()) {
            throw new IllegalArgumentException("state: " + state + " is not ready, delayed, reserved or buried");
        }
        if (limit < 1 || limit > MAX_LIST_LIMIT) {
            throw new IllegalArgumentException("limit: " + limit + " is not in 1.." + MAX_LIST_LIMIT);
        }
        String line = line("list-jobs " + Protocol.tube(tube) + ' ' + state.wireName() + ' ' + limit + ' '
                + Long.toUnsignedString(afterId));
        return Protocol.simple(line, (r, s) -> r.line().equals("NOT_FOUND") ? JobPage.EMPTY
                : JobPage.parse(Protocol.ok(r, line)));
    }

    /** A tube that does not exist has no jobs: its NOT_FOUND counts 0. */
    static Request<Long> clearTube(String tube) {
        String line = line("clear-tube " + Protocol.tube(tube));
        return Protocol.simple(line, (r, s) -> {
            if (r.line().equals("NOT_FOUND")) {
                return 0L;
            }
            Protocol.expect(r, "CLEARED", line);
            return r.number(1);
        });
    }

    static Request<Void> tubeSetMaxReserves(String tube, long maxReserves) {
        String line = line("tube-set " + Protocol.tube(tube) + " max-reserves="
                + Protocol.u32("maxReserves", maxReserves));
        return Protocol.simple(line, Protocol.word("UPDATED", line));
    }

    static Request<Long> tubeMaxReserves(String tube) {
        String line = line("tube-settings " + Protocol.tube(tube));
        return Protocol.simple(line, (r, s) -> Yaml.num(Yaml.map(Protocol.ok(r, line)), "max-reserves"));
    }

    // ---- sub-second release and reserve

    static Request<Void> releaseEx(long id, long pri, Duration delay) {
        String line = "release-ex " + Long.toUnsignedString(id) + ' ' + Protocol.u32("priority", pri) + ' '
                + duration("delay", delay);
        return Protocol.simple(line, Protocol.released(id, line));
    }

    static Request<Optional<Job>> reserveEx(Duration timeout) {
        String line = "reserve-ex " + duration("timeout", timeout);
        return new Request<>(line, Protocol.ascii(line + "\r\n"), millis("timeout", timeout), (r, s) -> {
            if (r.word().equals("TIMED_OUT")) {
                return Optional.empty();
            }
            return Optional.of(Protocol.reserved(r, line));
        });
    }

    // ---- recurring jobs

    static Request<Void> scheduleAdd(String name, long pri, Duration ttr, byte[] body, String spec, ZoneId zone) {
        String line = "schedule-add " + Protocol.tube(name) + ' ' + Protocol.u32("priority", pri) + ' '
                + duration("ttr", ttr) + ' ' + bodyLength(body) + ' ' + spec(spec)
                + (zone == null ? "" : " tz=" + zone.getId());
        return withBody(line, body, (r, s) -> {
            if (!r.line().equals("SCHEDULED")) {
                throw bodyError(r, line);
            }
            return null;
        });
    }

    static Request<Void> scheduleRemove(String name) {
        String line = line("schedule-remove " + Protocol.tube(name));
        return Protocol.simple(line, Protocol.word("REMOVED", line));
    }

    static Request<List<Schedule>> scheduleList() {
        return Protocol.simple("schedule-list", (r, s) -> Schedule.parseList(Protocol.ok(r, "schedule-list")));
    }

    static Request<ExtStats> statsExt() {
        return Protocol.simple("stats-ext", (r, s) -> ExtStats.parse(Protocol.ok(r, "stats-ext")));
    }

    // ---- helpers

    private static Request<Optional<JobState>> jobStateCommand(String line) {
        return Protocol.simple(line, (r, s) -> r.line().equals("NOT_FOUND") ? Optional.empty()
                : Optional.of(JobState.parse(Protocol.ok(r, line))));
    }

    private static Request<Cancellation> cancelCommand(String line) {
        return Protocol.simple(line, (r, s) -> {
            switch (r.line()) {
                case "CANCELLED":
                    return Cancellation.CANCELLED;
                case "CANCELLING":
                    return Cancellation.CANCELLING;
                default:
                    throw Protocol.error(r, line);
            }
        });
    }

    /**
     * A command line followed by a body. beanstalkd answers the line {@code UNKNOWN_COMMAND} without reading the
     * body, then reads the body as commands of its own: the request is marked so that reply drops the connection.
     */
    private static <T> Request<T> withBody(String line, byte[] body, Request.Decoder<T> decoder) {
        byte[] head = Protocol.ascii(line(line) + "\r\n");
        byte[] wire = new byte[head.length + body.length + 2];
        System.arraycopy(head, 0, wire, 0, head.length);
        System.arraycopy(body, 0, wire, head.length, body.length);
        wire[wire.length - 2] = '\r';
        wire[wire.length - 1] = '\n';
        return new Request<>(line, wire, 0, decoder, true);
    }

    private static BeanstalkException bodyError(Reply r, String line) {
        if (r.line().equals("UNKNOWN_COMMAND")) {
            return new UnknownCommandException("UNKNOWN_COMMAND (" + line + "): not a Sluice broker? It would read "
                    + "the body as commands, so the connection was dropped");
        }
        return Protocol.error(r, line);
    }

    private static int bodyLength(byte[] body) {
        if (body == null) {
            throw new IllegalArgumentException("body: null");
        }
        return body.length;
    }

    private static long number(Reply r, String line) {
        if (r.tokenCount() != 2) {
            throw new UnexpectedReplyException("malformed reply " + r.line() + " (" + line + ")");
        }
        return r.number(1);
    }

    /** The line, if the broker will take it: a longer one is refused whole (and its body read as commands). */
    static String line(String line) {
        if (line.length() > MAX_LINE) {
            throw new IllegalArgumentException("command line of " + line.length() + " bytes exceeds the broker's "
                    + MAX_LINE + " (224 with CRLF): " + line.substring(0, 40) + "...");
        }
        return line;
    }

    /** Checks a key: 1..128 printable ASCII characters, no space (PROTOCOL.md §7.1). */
    static String key(String key) {
        if (key == null || key.isEmpty() || key.length() > PutOptions.MAX_KEY_LENGTH) {
            throw new IllegalArgumentException("key must be 1.." + PutOptions.MAX_KEY_LENGTH + " characters: " + key);
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < '!' || c > '~') {
                throw new IllegalArgumentException("key has a space, control or non-ASCII character: " + key);
            }
        }
        return key;
    }

    /** Checks a schedule spec enough for the framing: printable ASCII, single spaces inside, no {@code tz=} last. */
    static String spec(String spec) {
        if (spec == null || spec.isEmpty() || spec.startsWith(" ") || spec.endsWith(" ") || spec.contains("  ")) {
            throw new IllegalArgumentException("spec must be non-empty, with single spaces inside: '" + spec + "'");
        }
        for (int i = 0; i < spec.length(); i++) {
            char c = spec.charAt(i);
            if (c < ' ' || c > '~') {
                throw new IllegalArgumentException("spec has a control or non-ASCII character: " + spec);
            }
        }
        if (spec.substring(spec.lastIndexOf(' ') + 1).startsWith("tz=")) {
            throw new IllegalArgumentException("spec: pass the time zone as the zone argument: " + spec);
        }
        return spec;
    }

    /** Milliseconds, rounded up (a non-zero duration never becomes 0), at most 2^32-1 seconds. */
    static long millis(String what, Duration d) {
        if (d == null || d.isNegative()) {
            throw new IllegalArgumentException(what + ": " + d + " is negative");
        }
        if (d.getSeconds() > Protocol.MAX_U32) {
            throw new IllegalArgumentException(what + ": " + d + " exceeds " + Protocol.MAX_U32 + " s");
        }
        long ms = d.getSeconds() * 1000 + (d.getNano() + 999_999) / 1_000_000;
        if (ms > MAX_MILLIS) {
            throw new IllegalArgumentException(what + ": " + d + " exceeds " + Protocol.MAX_U32 + " s");
        }
        return ms;
    }

    /**
     * A duration argument with millisecond precision: {@code 250ms}, or {@code 30s} when it is whole seconds (the
     * shorter form, since the line limit is shared with keys and specs).
     */
    static String duration(String what, Duration d) {
        long ms = millis(what, d);
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }
}
