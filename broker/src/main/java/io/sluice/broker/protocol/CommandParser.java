package io.sluice.broker.protocol;

import java.nio.charset.StandardCharsets;

/**
 * Turns one command line (CRLF stripped) into a {@link Command}, reproducing beanstalkd 1.12's {@code
 * dispatch_cmd}: prefix matching in its order, per-command strictness, and its number parsers.
 *
 * <p>Thread rule: one instance per connection, used on that connection's event loop only (it keeps the parsed
 * put header in fields so that the hot path allocates nothing).
 */
public final class CommandParser {

    /** The put header of the last {@link #parse} that returned {@code null}. */
    long putPri;
    long putDelay;
    long putTtr;
    long putBytes;
    /** The extension header ({@code put-ex}, {@code schedule-add}) whose body comes next, or null for a put. */
    ExtensionParser.Pending pendingExt;
    private final ExtensionParser.Pending[] pendingOut = new ExtensionParser.Pending[1];

    // Result of the last number scan: value and index just past its digits.
    private long num;
    private int end;

    private final long maxJobSize;

    public CommandParser(long maxJobSize) {
        this.maxJobSize = maxJobSize;
    }

    /**
     * Parses {@code line[0, len)}. Returns the command, or {@code null} for a well-formed put header whose body
     * must be read next (header values in {@code put*}). A too-big put returns {@code null} too, with
     * {@link #putTooBig()} true: the caller discards the declared body and answers JOB_TOO_BIG.
     */
    public Command parse(byte[] line, int len) {
        for (int i = 0; i < len; i++) {
            if (line[i] == 0) {
                return bad(); // beanstalkd: "check for possible maliciousness"
            }
        }
        pendingExt = null;
        switch (len == 0 ? 0 : line[0]) {
            case 'p':
                if (starts(line, len, "put ")) {
                    return put(line, len);
                }
                if (starts(line, len, "put-ex ")) {
                    return bodyExtension(line, len);
                }
                if (starts(line, len, "peek ")) {
                    return strictId(line, len, 5) ? new Command.Peek(num) : bad();
                }
                if (starts(line, len, "peek-ready")) {
                    return exact(len, "peek-ready") ? new Command.PeekState(JobState.READY) : bad();
                }
                if (starts(line, len, "peek-delayed")) {
                    return exact(len, "peek-delayed") ? new Command.PeekState(JobState.DELAYED) : bad();
                }
                if (starts(line, len, "peek-buried")) {
                    return exact(len, "peek-buried") ? new Command.PeekState(JobState.BURIED) : bad();
                }
                if (starts(line, len, "pause-tube")) {
                    return pauseTube(line, len);
                }
                break;
            case 'r':
                if (starts(line, len, "reserve-with-timeout ")) {
                    return reserveWithTimeout(line, len, 21);
                }
                if (starts(line, len, "reserve-job ")) {
                    return strictId(line, len, 12) ? new Command.ReserveJob(num) : bad();
                }
                if (starts(line, len, "reserve-ex ")) {
                    return extension(line, len); // before beanstalkd's "reserve" prefix, which would take it
                }
                if (starts(line, len, "reserve")) {
                    return exact(len, "reserve") ? RESERVE : bad();
                }
                if (starts(line, len, "release ")) {
                    return release(line, len);
                }
                break;
            case 'd':
                if (starts(line, len, "delete ")) {
                    return strictId(line, len, 7) ? new Command.Delete(num) : bad();
                }
                break;
            case 'b':
                if (starts(line, len, "bury ")) {
                    if (!readU64(line, len, 5)) {
                        return bad();
                    }
                    long id = num;
                    return readU32(line, len, end) && end == len ? new Command.Bury(id, num) : bad();
                }
                break;
            case 'k':
                if (starts(line, len, "kick ")) {
                    return kick(line, len, 5);
                }
                if (starts(line, len, "kick-job ")) {
                    return strictId(line, len, 9) ? new Command.KickJob(num) : bad();
                }
                break;
            case 't':
                if (starts(line, len, "touch ")) {
                    return strictId(line, len, 6) ? new Command.Touch(num) : bad();
                }
                break;
            case 's':
                if (starts(line, len, "stats-job ")) {
                    return strictId(line, len, 10) ? new Command.StatsJob(num) : bad();
                }
                if (starts(line, len, "stats-log")) {
                    // Sluice extension. beanstalkd would answer this line BAD_FORMAT (prefix "stats", wrong length),
                    // so no beanstalkd client sends it expecting anything else.
                    return exact(len, "stats-log") ? new Command.StatsLog() : bad();
                }
                if (starts(line, len, "stats-tube ")) {
                    String name = tubeArg(line, len, 11);
                    return name != null ? new Command.StatsTube(name) : bad();
                }
                if (starts(line, len, "stats-ext")) {
                    // before beanstalkd's "stats" prefix; any other line it takes stays BAD_FORMAT, as there
                    Command c = ExtensionParser.parseSimple(line, len);
                    return c != null ? c : bad();
                }
                if (starts(line, len, "schedule-add ")) {
                    return bodyExtension(line, len);
                }
                if (starts(line, len, "stats")) {
                    return exact(len, "stats") ? new Command.Stats() : bad();
                }
                break;
            case 'u':
                if (starts(line, len, "use ")) {
                    String name = tubeArg(line, len, 4);
                    return name != null ? new Command.Use(name) : bad();
                }
                break;
            case 'w':
                if (starts(line, len, "watch ")) {
                    String name = tubeArg(line, len, 6);
                    return name != null ? new Command.Watch(name) : bad();
                }
                break;
            case 'i':
                if (starts(line, len, "ignore ")) {
                    String name = tubeArg(line, len, 7);
                    return name != null ? new Command.Ignore(name) : bad();
                }
                break;
            case 'l':
                if (starts(line, len, "list-tubes-watched")) {
                    return exact(len, "list-tubes-watched") ? new Command.ListTubesWatched() : bad();
                }
                if (starts(line, len, "list-tube-used")) {
                    return exact(len, "list-tube-used") ? new Command.ListTubeUsed() : bad();
                }
                if (starts(line, len, "list-tubes")) {
                    return exact(len, "list-tubes") ? new Command.ListTubes() : bad();
                }
                break;
            case 'q':
                if (starts(line, len, "quit")) {
                    return QUIT; // beanstalkd checks nothing after "quit"
                }
                break;
            default:
                break;
        }
        return extension(line, len);
    }

    /** An extension without a body, or UNKNOWN_COMMAND (what beanstalkd answers every line left here). */
    private static Command extension(byte[] line, int len) {
        Command c = ExtensionParser.parseSimple(line, len);
        return c != null ? c : UNKNOWN;
    }

    /** put-ex / schedule-add: null (body next, as for put) once the header's numbers parse, else BAD_FORMAT. */
    private Command bodyExtension(byte[] line, int len) {
        long bytes = ExtensionParser.parseBodyHeader(line, len, pendingOut);
        if (bytes < 0) {
            return line[0] == 'p' ? BAD_PUT : bad();
        }
        pendingExt = pendingOut[0];
        pendingOut[0] = null;
        putBytes = bytes;
        return null;
    }

    /** The command a completed body makes, given the header {@link #parse} last returned null for. */
    Command withBody(byte[] body) {
        ExtensionParser.Pending p = pendingExt;
        if (p == null) {
            return new Command.Put(putPri, putDelay, putTtr, body);
        }
        if (p instanceof ExtensionParser.PendingPutEx x) {
            return new Command.PutEx(x.pri(), x.delayNanos(), x.ttrNanos(), body, x.key(), x.ttlNanos(),
                    x.onExpireBury(), x.maxReserves());
        }
        if (p instanceof ExtensionParser.PendingSchedule x) {
            return new Command.ScheduleAdd(x.name(), x.pri(), x.ttrNanos(), x.spec(), x.zone(), body);
        }
        return ((ExtensionParser.PendingBad) p).countedAsPut() ? BAD_PUT : bad();
    }

    /** Whether the pending body belongs to a put or put-ex (which count in cmd-put and use up an id). */
    boolean pendingIsPut() {
        return pendingExt == null || pendingExt instanceof ExtensionParser.PendingPutEx
                || (pendingExt instanceof ExtensionParser.PendingBad b && b.countedAsPut());
    }

    /** Whether the last {@code null} from {@link #parse} was a put whose declared size exceeds the limit. */
    public boolean putTooBig() {
        return putBytes > maxJobSize;
    }

    private static final Command QUIT = new Command.Quit();
    /** Immutable, so every plain reserve can share one (the hot path of a worker allocates nothing here). */
    private static final Command RESERVE = new Command.Reserve(-1);
    private static final Command UNKNOWN = new Command.Invalid(Reply.UNKNOWN_COMMAND, Command.Counted.NONE);
    private static final Command BAD = new Command.Invalid(Reply.BAD_FORMAT, Command.Counted.NONE);
    private static final Command BAD_PUT = new Command.Invalid(Reply.BAD_FORMAT, Command.Counted.PUT);
    private static final Command BAD_PAUSE = new Command.Invalid(Reply.BAD_FORMAT, Command.Counted.PAUSE_TUBE);

    private static Command bad() {
        return BAD;
    }

    // put <pri> <delay> <ttr> <bytes>: four non-strict u32s; size is judged before trailing garbage.
    private Command put(byte[] line, int len) {
        if (!readU32(line, len, 4)) {
            return bad();
        }
        long pri = num;
        if (!readU32(line, len, end)) {
            return bad();
        }
        long delay = num;
        if (!readU32(line, len, end)) {
            return bad();
        }
        long ttr = num;
        if (!readU32(line, len, end)) {
            return bad();
        }
        putPri = pri;
        putDelay = delay;
        putTtr = ttr;
        putBytes = num;
        if (putBytes > maxJobSize) {
            return null; // caller skips bytes+2 and answers JOB_TOO_BIG
        }
        return end == len ? null : BAD_PUT;
    }

    // release <id> <pri> <delay>: only the last field is strict.
    private Command release(byte[] line, int len) {
        if (!readU64(line, len, 8)) {
            return bad();
        }
        long id = num;
        if (!readU32(line, len, end)) {
            return bad();
        }
        long pri = num;
        return readU32(line, len, end) && end == len ? new Command.Release(id, pri, num) : bad();
    }

    // reserve-with-timeout: beanstalkd 1.12 reads it with strtol into an int and never checks the rest.
    private Command reserveWithTimeout(byte[] line, int len, int from) {
        if (!strtol(line, len, from, true)) {
            return bad();
        }
        int timeout = (int) num;
        return new Command.Reserve(timeout < 0 ? -1 : timeout, true);
    }

    // kick: strtoul into a 32-bit uint, trailing garbage ignored, "-1" wraps.
    private Command kick(byte[] line, int len, int from) {
        if (!strtol(line, len, from, false)) {
            return bad();
        }
        return new Command.Kick(num & ProtocolLimits.U32_MAX);
    }

    private Command pauseTube(byte[] line, int len) {
        int i = 10;
        while (i < len && line[i] == ' ') {
            i++;
        }
        int nameStart = i;
        while (i < len && TubeNames.isNameChar(line[i])) {
            i++;
        }
        if (i == nameStart) {
            return bad();
        }
        int nameEnd = i;
        if (!readU32(line, len, nameEnd) || end != len) {
            return bad();
        }
        if (!TubeNames.isValid(line, nameStart, nameEnd)) {
            return BAD_PAUSE;
        }
        return new Command.PauseTube(new String(line, nameStart, nameEnd - nameStart, StandardCharsets.ISO_8859_1),
                num);
    }

    private static String tubeArg(byte[] line, int len, int from) {
        if (!TubeNames.isValid(line, from, len)) {
            return null;
        }
        return new String(line, from, len - from, StandardCharsets.ISO_8859_1);
    }

    private boolean strictId(byte[] line, int len, int from) {
        return readU64(line, len, from) && end == len;
    }

    private static boolean exact(int len, String word) {
        return len == word.length();
    }

    private static boolean starts(byte[] line, int len, String prefix) {
        int n = prefix.length();
        if (len < n) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (line[i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** beanstalkd {@code read_u32}: spaces, then at least one digit; value &le; 2^32-1. */
    private boolean readU32(byte[] line, int len, int from) {
        return readUnsigned(line, len, from) && num >= 0 && num <= ProtocolLimits.U32_MAX;
    }

    /** beanstalkd {@code read_u64}: spaces, then at least one digit; value &le; 2^64-1 (kept as bits). */
    private boolean readU64(byte[] line, int len, int from) {
        return readUnsigned(line, len, from);
    }

    private boolean readUnsigned(byte[] line, int len, int from) {
        int i = from;
        while (i < len && line[i] == ' ') {
            i++;
        }
        if (i >= len || line[i] < '0' || line[i] > '9') {
            return false;
        }
        long v = 0;
        for (; i < len && line[i] >= '0' && line[i] <= '9'; i++) {
            int d = line[i] - '0';
            // unsigned overflow check for v * 10 + d > 2^64 - 1
            if (Long.compareUnsigned(v, Long.divideUnsigned(-1L - d, 10)) > 0) {
                return false;
            }
            v = v * 10 + d;
        }
        num = v;
        end = i;
        return true;
    }

    /**
     * C {@code strtol}/{@code strtoul} as glibc does it: leading white space, an optional sign, decimal digits;
     * no digits is an error here (beanstalkd checks {@code end == start} for kick; for reserve-with-timeout
     * strtol simply yields 0, see below); out of range is ERANGE.
     */
    private boolean strtol(byte[] line, int len, int from, boolean signed) {
        int i = from;
        while (i < len && (line[i] == ' ' || (line[i] >= '\t' && line[i] <= '\r'))) {
            i++;
        }
        boolean negative = false;
        if (i < len && (line[i] == '+' || line[i] == '-')) {
            negative = line[i] == '-';
            i++;
        }
        if (i >= len || line[i] < '0' || line[i] > '9') {
            if (signed) {
                num = 0; // strtol without digits returns 0 and sets no errno: beanstalkd takes it as 0
                return true;
            }
            return false;
        }
        long v = 0;
        boolean overflow = false;
        for (; i < len && line[i] >= '0' && line[i] <= '9'; i++) {
            int d = line[i] - '0';
            if (Long.compareUnsigned(v, Long.divideUnsigned(-1L - d, 10)) > 0) {
                overflow = true;
            } else {
                v = v * 10 + d;
            }
        }
        if (overflow) {
            return false;
        }
        if (signed) {
            // strtol: range is [Long.MIN_VALUE, Long.MAX_VALUE]
            if (v < 0 && !(negative && v == Long.MIN_VALUE)) {
                return false;
            }
            num = negative ? -v : v;
        } else {
            num = negative ? -v : v; // strtoul negates in unsigned arithmetic
        }
        return true;
    }
}
