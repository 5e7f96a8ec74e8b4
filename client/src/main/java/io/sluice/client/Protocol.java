package io.sluice.client;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Every beanstalkd command as a {@link Request}: argument checks, encoding, and reply decoding (PROTOCOL.md §4).
 * Sluice's extensions are in {@link ExtProtocol}. Stateless; any thread.
 */
final class Protocol {
    static final long MAX_U32 = 0xFFFF_FFFFL;
    static final int MAX_TUBE_NAME = 200;

    private Protocol() {
    }

    // ---- producer commands

    static Put put(long pri, Duration delay, Duration ttr, byte[] body) {
        if (body == null) {
            throw new IllegalArgumentException("body: null");
        }
        return new Put(u32("priority", pri), seconds("delay", delay, MAX_U32), seconds("ttr", ttr, MAX_U32), body);
    }

    /**
     * {@code put}, the hot command: kept as its fields and encoded straight into the connection's (or the async
     * client's staging) buffer, its line built only for a message, its id read without boxing by {@link #id}.
     * The body is read when the command is encoded: by the calling thread, before {@code put} returns.
     */
    static final class Put extends Request<Long> {
        private static final byte[] PUT = ascii("put ");

        private final long pri;
        private final long delay;
        private final long ttr;
        private final byte[] body;

        private Put(long pri, long delay, long ttr, byte[] body) {
            super(0);
            this.pri = pri;
            this.delay = delay;
            this.ttr = ttr;
            this.body = body;
        }

        @Override
        String text() {
            return "put " + pri + ' ' + delay + ' ' + ttr + ' ' + body.length;
        }

        @Override
        int size() {
            return body.length + 48; // "put " + three u32 + a length + two CRLF fit in 48
        }

        @Override
        void writeTo(Output out) throws IOException {
            out.write(PUT);
            out.writeUnsigned(pri);
            out.writeByte(' ');
            out.writeUnsigned(delay);
            out.writeByte(' ');
            out.writeUnsigned(ttr);
            out.writeByte(' ');
            out.writeUnsigned(body.length);
            out.writeCrlf();
            out.write(body);
            out.writeCrlf();
        }

        @Override
        Long decode(Reply r, Session s) {
            return id(r);
        }

        /** The new job's id, or the reply's exception. */
        long id(Reply r) {
            switch (r.word()) {
                case "INSERTED":
                    return r.number(1);
                case "BURIED":
                    throw new BuriedException(r.line() + " (" + text() + ")", r.number(1));
                default:
                    throw error(r, text());
            }
        }
    }

    static Request<String> use(String tube) {
        String line = "use " + tube(tube);
        return simple(line, (r, s) -> {
            expect(r, "USING", line);
            String name = r.line().substring("USING ".length());
            s.use(name);
            return name;
        });
    }

    // ---- worker commands

    static Request<Job> reserve() {
        return new Request<>("reserve", ascii("reserve\r\n"), Request.UNBOUNDED, (r, s) -> {
            if (r.word().equals("TIMED_OUT")) {
                throw new TimedOutException("TIMED_OUT (reserve)");
            }
            return reserved(r, "reserve");
        });
    }

    static Request<Optional<Job>> reserve(Duration timeout) {
        long secs = seconds("timeout", timeout, Integer.MAX_VALUE);
        String line = "reserve-with-timeout " + secs;
        return new Request<>(line, ascii(line + "\r\n"), secs * 1000, (r, s) -> {
            if (r.word().equals("TIMED_OUT")) {
                return Optional.empty();
            }
            return Optional.of(reserved(r, line));
        });
    }

    static Request<Job> reserveJob(long id) {
        String line = "reserve-job " + Long.toUnsignedString(id);
        return simple(line, (r, s) -> reserved(r, line));
    }

    static Request<Void> delete(long id) {
        String line = "delete " + Long.toUnsignedString(id);
        return simple(line, word("DELETED", line));
    }

    static Request<Void> release(long id, long pri, Duration delay) {
        String line = "release " + Long.toUnsignedString(id) + ' ' + u32("priority", pri) + ' '
                + seconds("delay", delay, MAX_U32);
        return simple(line, released(id, line));
    }

    /** The reply to release and release-ex: BURIED (no memory; Sluice: the reserve limit) and CANCELLED are errors. */
    static Request.Decoder<Void> released(long id, String line) {
        return (r, s) -> {
            if (r.line().equals("BURIED")) {
                throw new BuriedException("BURIED (" + line + ")", id);
            }
            if (!r.line().equals("RELEASED")) {
                throw heldJobError(r, line, id);
            }
            return null;
        };
    }

    static Request<Void> bury(long id, long pri) {
        String line = "bury " + Long.toUnsignedString(id) + ' ' + u32("priority", pri);
        return simple(line, heldJobWord("BURIED", line, id));
    }

    static Request<Void> touch(long id) {
        String line = "touch " + Long.toUnsignedString(id);
        return simple(line, heldJobWord("TOUCHED", line, id));
    }

    static Request<Integer> watch(String tube) {
        String name = tube(tube);
        String line = "watch " + name;
        return simple(line, (r, s) -> {
            expect(r, "WATCHING", line);
            s.watch(name);
            return r.count(1);
        });
    }

    static Request<Integer> ignore(String tube) {
        String name = tube(tube);
        String line = "ignore " + name;
        return simple(line, (r, s) -> {
            expect(r, "WATCHING", line);
            s.ignore(name);
            return r.count(1);
        });
    }

    // ---- other commands

    static Request<Optional<Job>> peek(long id) {
        return peekCommand("peek " + Long.toUnsignedString(id));
    }

    static Request<Optional<Job>> peekReady() {
        return peekCommand("peek-ready");
    }

    static Request<Optional<Job>> peekDelayed() {
        return peekCommand("peek-delayed");
    }

    static Request<Optional<Job>> peekBuried() {
        return peekCommand("peek-buried");
    }

    static Request<Integer> kick(int bound) {
        if (bound < 0) {
            throw new IllegalArgumentException("bound: " + bound + " is negative");
        }
        String line = "kick " + bound;
        return simple(line, (r, s) -> {
            expect(r, "KICKED", line);
            return r.count(1);
        });
    }

    static Request<Void> kickJob(long id) {
        String line = "kick-job " + Long.toUnsignedString(id);
        return simple(line, word("KICKED", line));
    }

    static Request<JobStats> statsJob(long id) {
        String line = "stats-job " + Long.toUnsignedString(id);
        return simple(line, (r, s) -> JobStats.parse(ok(r, line)));
    }

    static Request<TubeStats> statsTube(String tube) {
        String line = "stats-tube " + tube(tube);
        return simple(line, (r, s) -> TubeStats.parse(ok(r, line)));
    }

    static Request<ServerStats> stats() {
        return simple("stats", (r, s) -> ServerStats.parse(ok(r, "stats")));
    }

    static Request<List<String>> listTubes() {
        return simple("list-tubes", (r, s) -> Yaml.list(ok(r, "list-tubes")));
    }

    static Request<List<String>> listTubesWatched() {
        return simple("list-tubes-watched", (r, s) -> Yaml.list(ok(r, "list-tubes-watched")));
    }

    static Request<String> listTubeUsed() {
        return simple("list-tube-used", (r, s) -> {
            expect(r, "USING", "list-tube-used");
            return r.line().substring("USING ".length());
        });
    }

    static Request<Void> pauseTube(String tube, Duration pause) {
        String line = "pause-tube " + tube(tube) + ' ' + seconds("pause", pause, MAX_U32);
        return simple(line, word("PAUSED", line));
    }

    static final byte[] QUIT = ascii("quit\r\n");

    // ---- helpers

    /** The exception for an error reply (or a reply that does not belong to the command). */
    static BeanstalkException error(Reply r, String command) {
        String msg = r.line() + " (" + command + ")";
        switch (r.word()) {
            case "NOT_FOUND":
                return new NotFoundException(msg);
            case "DEADLINE_SOON":
                return new DeadlineSoonException(msg);
            case "TIMED_OUT":
                return new TimedOutException(msg);
            case "JOB_TOO_BIG":
                return new JobTooBigException(msg);
            case "DRAINING":
                return new DrainingException(msg);
            case "EXPECTED_CRLF":
                return new ExpectedCrlfException(msg);
            case "BAD_FORMAT":
                return new BadFormatException(msg);
            case "UNKNOWN_COMMAND":
                return new UnknownCommandException(msg);
            case "OUT_OF_MEMORY":
                return new OutOfMemoryException(msg);
            case "INTERNAL_ERROR":
                return new InternalErrorException(msg);
            case "NOT_IGNORED":
                return new NotIgnoredException(msg);
            case "BURIED":
                return new BuriedException(msg, r.tokenCount() > 1 ? r.number(1) : -1);
            case "CANCELLED":
                return new CancelledException(msg, -1);
            default:
                return new UnexpectedReplyException("unexpected reply " + msg);
        }
    }

    /** A request whose reply comes at once (within the read timeout). */
    static <T> Request<T> simple(String line, Request.Decoder<T> decoder) {
        return new Request<>(line, ascii(line + "\r\n"), 0, decoder);
    }

    /** A command on a job this connection holds: {@code expected}, or CANCELLED (Sluice) with the job's id. */
    private static Request.Decoder<Void> heldJobWord(String expected, String line, long id) {
        return (r, s) -> {
            if (!r.line().equals(expected)) {
                throw heldJobError(r, line, id);
            }
            return null;
        };
    }

    private static BeanstalkException heldJobError(Reply r, String line, long id) {
        if (r.line().equals("CANCELLED")) {
            return new CancelledException("CANCELLED (" + line + "): the job was cancelled while reserved", id);
        }
        return error(r, line);
    }

    private static Request<Optional<Job>> peekCommand(String line) {
        return simple(line, (r, s) -> {
            if (r.line().equals("NOT_FOUND")) {
                return Optional.empty();
            }
            expect(r, "FOUND", line);
            return Optional.of(new Job(r.number(1), r.body()));
        });
    }

    static Job reserved(Reply r, String line) {
        expect(r, "RESERVED", line);
        return new Job(r.number(1), r.body());
    }

    static byte[] ok(Reply r, String line) {
        expect(r, "OK", line);
        return r.body();
    }

    static Request.Decoder<Void> word(String expected, String line) {
        return (r, s) -> {
            if (!r.line().equals(expected)) {
                throw error(r, line);
            }
            return null;
        };
    }

    /** The reply must be {@code word} with its fields (a data block for RESERVED, FOUND, OK), else it is an error. */
    static void expect(Reply r, String word, String line) {
        if (!r.word().equals(word)) {
            throw error(r, line);
        }
        boolean wantsBlock = word.equals("RESERVED") || word.equals("FOUND") || word.equals("OK");
        if (wantsBlock ? r.body() == null : r.tokenCount() != 2) {
            throw new UnexpectedReplyException("malformed reply " + r.line() + " (" + line + ")");
        }
    }

    /** Checks a tube name enough that it cannot break the framing: 1..200 printable ASCII bytes, no space. */
    static String tube(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_TUBE_NAME) {
            throw new IllegalArgumentException("tube name must be 1.." + MAX_TUBE_NAME + " characters: " + name);
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= ' ' || c > '~') {
                throw new IllegalArgumentException("tube name has a space, control or non-ASCII character: "
                        + name);
            }
        }
        return name;
    }

    static long u32(String what, long v) {
        if (v < 0 || v > MAX_U32) {
            throw new IllegalArgumentException(what + ": " + v + " is not in 0.." + MAX_U32);
        }
        return v;
    }

    /** Whole seconds, rounded up (a non-zero duration never becomes 0). */
    static long seconds(String what, Duration d, long max) {
        if (d == null || d.isNegative()) {
            throw new IllegalArgumentException(what + ": " + d + " is negative");
        }
        long s = d.getSeconds() + (d.getNano() > 0 ? 1 : 0);
        if (s > max) {
            throw new IllegalArgumentException(what + ": " + d + " exceeds " + max + " s");
        }
        return s;
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
