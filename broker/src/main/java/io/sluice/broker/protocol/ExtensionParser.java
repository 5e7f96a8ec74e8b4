package io.sluice.broker.protocol;

import java.nio.charset.StandardCharsets;

/**
 * Parses Sluice's extension command lines (PROTOCOL.md §7). Kept apart from {@link CommandParser}, which reproduces
 * beanstalkd's quirks exactly; extension lines follow one regular grammar: single spaces between arguments,
 * durations with units, {@code name=value} options, strict ends.
 *
 * <p>Thread rule: one instance per connection (owned by its {@link CommandParser}), that connection's event loop.
 */
final class ExtensionParser {
    static final long NANOS_PER_MS = 1_000_000L;
    static final long NANOS_PER_S = 1_000_000_000L;
    static final long MAX_SECONDS = ProtocolLimits.U32_MAX;
    static final int MAX_KEY = 128;
    static final int DEFAULT_LIST_LIMIT = 100;
    static final int MAX_LIST_LIMIT = 1000;

    private static final Command BAD = new Command.Invalid(Reply.BAD_FORMAT, Command.Counted.NONE);

    /** A body-carrying extension header ({@code put-ex}, {@code schedule-add}) waiting for its body. */
    sealed interface Pending permits PendingPutEx, PendingSchedule, PendingBad { }

    /** put-ex options, parsed; the body completes it. */
    record PendingPutEx(long pri, long delayNanos, long ttrNanos, String key, long ttlNanos, boolean onExpireBury,
                        long maxReserves) implements Pending { }

    record PendingSchedule(String name, long pri, long ttrNanos, String spec, String zone) implements Pending { }

    /** The header's numbers parsed but an option did not: the body is read, then this reply is given. */
    record PendingBad(boolean countedAsPut) implements Pending { }

    private final byte[] line;
    private int len;
    private int pos;

    private ExtensionParser(byte[] line, int len, int pos) {
        this.line = line;
        this.len = len;
        this.pos = pos;
    }

    // ------------------------------------------------------------------ entry points (static, allocation light)

    /** Commands without a body; null if the line is not an extension command. */
    static Command parseSimple(byte[] line, int len) {
        String word = firstWord(line, len);
        if (word == null) {
            return null;
        }
        ExtensionParser p = new ExtensionParser(line, len, word.length());
        switch (word) {
            case "peek-key": {
                String k = p.lastKey();
                return k == null ? BAD : new Command.PeekKey(k);
            }
            case "delete-key": {
                String k = p.lastKey();
                return k == null ? BAD : new Command.DeleteKey(k);
            }
            case "job-state": {
                long id = p.lastU64();
                return id == -2 ? BAD : new Command.JobStateOf(id, null);
            }
            case "job-state-key": {
                String k = p.lastKey();
                return k == null ? BAD : new Command.JobStateOf(0, k);
            }
            case "cancel": {
                long id = p.lastU64();
                return id == -2 ? BAD : new Command.Cancel(id, null);
            }
            case "cancel-key": {
                String k = p.lastKey();
                return k == null ? BAD : new Command.Cancel(0, k);
            }
            case "release-ex":
                return p.releaseEx();
            case "reserve-ex": {
                if (!p.space()) {
                    return BAD;
                }
                long d = p.duration();
                return d < 0 || !p.atEnd() ? BAD : new Command.ReserveEx(d);
            }
            case "list-jobs":
                return p.listJobs();
            case "clear-tube": {
                String t = p.space() ? p.tube() : null;
                return t == null || !p.atEnd() ? BAD : new Command.ClearTube(t);
            }
            case "tube-set":
                return p.tubeSet();
            case "schedule-remove": {
                String n = p.space() ? p.tube() : null;
                return n == null || !p.atEnd() ? BAD : new Command.ScheduleRemove(n);
            }
            case "schedule-list":
                return p.atEnd() ? new Command.ScheduleList() : BAD;
            case "stats-ext":
                return p.atEnd() ? new Command.StatsExt() : BAD;
            case "tube-settings": {
                String t = p.space() ? p.tube() : null;
                return t == null || !p.atEnd() ? BAD : new Command.TubeSettingsOf(t);
            }
            case "put-ex":
            case "schedule-add":
                return BAD; // without arguments (with them, the body-carrying path takes the line)
            default:
                return null;
        }
    }

    /** Whether the line is a body-carrying extension command ({@link #parseBodyHeader} then applies). */
    static boolean isBodyCommand(byte[] line, int len) {
        String w = firstWord(line, len);
        return "put-ex".equals(w) || "schedule-add".equals(w);
    }

    /**
     * Parses a put-ex or schedule-add header. Returns the declared body size (&ge; 0) with {@code out[0]} the
     * pending command, or -1 when the header's numbers are malformed (BAD_FORMAT, no body read, as put).
     */
    static long parseBodyHeader(byte[] line, int len, Pending[] out) {
        String w = firstWord(line, len);
        ExtensionParser p = new ExtensionParser(line, len, w.length());
        return "put-ex".equals(w) ? p.putEx(out) : p.scheduleAdd(out);
    }

    // ------------------------------------------------------------------ commands

    private long putEx(Pending[] out) {
        if (!space()) {
            return -1;
        }
        long pri = u32();
        long delay = space() ? duration() : -1;
        long ttr = delay >= 0 && space() ? duration() : -1;
        long bytes = ttr >= 0 && space() ? u32() : -1;
        if (pri < 0 || bytes < 0) {
            return -1;
        }
        String key = null;
        long ttl = 0;
        Boolean bury = null;
        long maxReserves = -1;
        while (!atEnd()) {
            if (!space()) {
                return bad(out, true, bytes);
            }
            String name = optionName();
            if (name == null) {
                return bad(out, true, bytes);
            }
            switch (name) {
                case "key":
                    if (key != null || (key = key()) == null) {
                        return bad(out, true, bytes);
                    }
                    break;
                case "ttl":
                    if (ttl != 0 || (ttl = duration()) <= 0) {
                        return bad(out, true, bytes);
                    }
                    break;
                case "on-expire":
                    if (bury != null) {
                        return bad(out, true, bytes);
                    }
                    String v = word();
                    if ("bury".equals(v)) {
                        bury = Boolean.TRUE;
                    } else if ("delete".equals(v)) {
                        bury = Boolean.FALSE;
                    } else {
                        return bad(out, true, bytes);
                    }
                    break;
                case "max-reserves":
                    if (maxReserves >= 0 || (maxReserves = u32()) < 0) {
                        return bad(out, true, bytes);
                    }
                    break;
                default:
                    return bad(out, true, bytes);
            }
        }
        out[0] = new PendingPutEx(pri, delay, ttr, key, ttl, bury == Boolean.TRUE, maxReserves);
        return bytes;
    }

    private long scheduleAdd(Pending[] out) {
        int nameStart = pos + 1;
        String name = space() ? word() : null;
        long pri = name != null && space() ? u32() : -1;
        long ttr = pri >= 0 && space() ? duration() : -1;
        long bytes = ttr >= 0 && space() ? u32() : -1;
        if (bytes < 0) {
            return -1;
        }
        if (!TubeNames.isValid(line, nameStart, nameStart + name.length()) || !space() || atEnd()) {
            return bad(out, false, bytes);
        }
        String rest = new String(line, pos, len - pos, StandardCharsets.ISO_8859_1);
        String zone = "UTC";
        int lastSpace = rest.lastIndexOf(' ');
        String last = rest.substring(lastSpace + 1);
        if (last.startsWith("tz=")) {
            zone = last.substring(3);
            rest = lastSpace < 0 ? "" : rest.substring(0, lastSpace);
        }
        if (rest.isEmpty() || zone.isEmpty() || rest.startsWith(" ") || rest.endsWith(" ") || rest.contains("  ")) {
            return bad(out, false, bytes);
        }
        out[0] = new PendingSchedule(name, pri, ttr, rest, zone);
        return bytes;
    }

    private static long bad(Pending[] out, boolean put, long bytes) {
        out[0] = new PendingBad(put);
        return bytes;
    }

    private Command releaseEx() {
        long id = space() ? u64() : -2;
        long pri = id != -2 && space() ? u32() : -1;
        long delay = pri >= 0 && space() ? duration() : -1;
        return delay < 0 || !atEnd() ? BAD : new Command.ReleaseEx(id, pri, delay);
    }

    private Command listJobs() {
        String tube = space() ? tube() : null;
        String state = tube != null && space() ? word() : null;
        JobState s = null;
        if (state != null) {
            for (JobState js : JobState.values()) {
                if (js.wireName().equals(state)) {
                    s = js;
                }
            }
        }
        if (s == null) {
            return BAD;
        }
        long limit = DEFAULT_LIST_LIMIT;
        long after = 0;
        if (!atEnd()) {
            limit = space() ? u32() : -1;
            if (limit < 1 || limit > MAX_LIST_LIMIT) {
                return BAD;
            }
            if (!atEnd()) {
                after = space() ? u64() : -2;
                if (after == -2) {
                    return BAD;
                }
            }
        }
        return atEnd() ? new Command.ListJobs(tube, s, (int) limit, after) : BAD;
    }

    private Command tubeSet() {
        String tube = space() ? tube() : null;
        if (tube == null || !space() || !"max-reserves".equals(optionName())) {
            return BAD;
        }
        long n = u32();
        return n < 0 || !atEnd() ? BAD : new Command.TubeSet(tube, n);
    }

    // ------------------------------------------------------------------ tokens

    private static String firstWord(byte[] line, int len) {
        int i = 0;
        while (i < len && line[i] != ' ') {
            i++;
        }
        return i == 0 || i > 16 ? null : new String(line, 0, i, StandardCharsets.ISO_8859_1);
    }

    private boolean atEnd() {
        return pos == len;
    }

    /** Exactly one space, followed by something. */
    private boolean space() {
        if (pos + 1 < len && line[pos] == ' ' && line[pos + 1] != ' ') {
            pos++;
            return true;
        }
        return false;
    }

    private int tokenEnd() {
        int i = pos;
        while (i < len && line[i] != ' ') {
            i++;
        }
        return i;
    }

    private String word() {
        int e = tokenEnd();
        String w = new String(line, pos, e - pos, StandardCharsets.ISO_8859_1);
        pos = e;
        return w;
    }

    private String tube() {
        int e = tokenEnd();
        if (!TubeNames.isValid(line, pos, e)) {
            return null;
        }
        return word();
    }

    /** {@code name=} of an option; the value follows at {@link #pos}. */
    private String optionName() {
        int e = tokenEnd();
        for (int i = pos; i < e; i++) {
            if (line[i] == '=') {
                String n = new String(line, pos, i - pos, StandardCharsets.ISO_8859_1);
                pos = i + 1;
                return pos < e ? n : null;
            }
        }
        return null;
    }

    private String key() {
        int e = tokenEnd();
        if (e - pos < 1 || e - pos > MAX_KEY) {
            return null;
        }
        for (int i = pos; i < e; i++) {
            if (line[i] < '!' || line[i] > '~') {
                return null;
            }
        }
        return word();
    }

    /** " <key>" ending the line. */
    private String lastKey() {
        if (!space()) {
            return null;
        }
        String k = key();
        return k != null && atEnd() ? k : null;
    }

    /** " <u64>" ending the line, or -2. */
    private long lastU64() {
        if (!space()) {
            return -2;
        }
        long id = u64();
        return id != -2 && atEnd() ? id : -2;
    }

    /** Decimal digits up to 2^32-1, or -1. */
    private long u32() {
        int e = pos;
        long v = 0;
        while (e < len && line[e] >= '0' && line[e] <= '9') {
            v = v * 10 + (line[e] - '0');
            if (v > ProtocolLimits.U32_MAX) {
                return -1;
            }
            e++;
        }
        if (e == pos || (e < len && line[e] != ' ')) {
            return -1;
        }
        pos = e;
        return v;
    }

    /**
     * An id: decimal digits up to 2^64-1 as beanstalkd's u64 (more is -2, BAD_FORMAT). Ids of 2^63 and above are
     * valid syntax that no job can have; they come back as Long.MAX_VALUE (the engine answers NOT_FOUND).
     */
    private long u64() {
        int e = pos;
        long v = 0;
        while (e < len && line[e] >= '0' && line[e] <= '9') {
            int d = line[e] - '0';
            if (Long.compareUnsigned(v, Long.divideUnsigned(-1L - d, 10)) > 0) {
                return -2;
            }
            v = v * 10 + d;
            e++;
        }
        if (e == pos || (e < len && line[e] != ' ')) {
            return -2;
        }
        pos = e;
        return v < 0 ? Long.MAX_VALUE : v;
    }

    /** {@code <n>[ms|s|m|h|d]} in nanoseconds, or -1. */
    private long duration() {
        int e = tokenEnd();
        long d = Durations.parse(line, pos, e);
        if (d >= 0) {
            pos = e;
        }
        return d;
    }
}
