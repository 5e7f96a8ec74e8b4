package io.sluice.broker.protocol;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Named.named;

/**
 * {@link CommandParser}: one command line (CRLF stripped) to a {@link Command}, as beanstalkd 1.12's
 * {@code dispatch_cmd} (reference §1.1-§1.3, §2, §5, §13). Every row is parsed from a buffer whose bytes past the
 * line are digits, so a parser that looks past {@code len} gets a different answer.
 */
class CommandParserTest {
    private static final Command BAD = new Command.Invalid(Reply.BAD_FORMAT, Command.Counted.NONE);
    private static final Command BAD_PUT = new Command.Invalid(Reply.BAD_FORMAT, Command.Counted.PUT);
    private static final Command BAD_PAUSE = new Command.Invalid(Reply.BAD_FORMAT, Command.Counted.PAUSE_TUBE);
    private static final Command UNKNOWN = new Command.Invalid(Reply.UNKNOWN_COMMAND, Command.Counted.NONE);
    private static final long U32 = 4294967295L;
    private static final String NAME_CHARS =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-+/;.$_()";

    /** What {@code parse} returning {@code null} means: a put header, its fields, and whether it is too big. */
    record Header(long pri, long delay, long ttr, long bytes, boolean tooBig) { }

    private static Header put(long pri, long delay, long ttr, long bytes) {
        return new Header(pri, delay, ttr, bytes, false);
    }

    private static Header tooBig(long bytes) {
        return new Header(0, 0, 60, bytes, true);
    }

    static Object parse(CommandParser p, String line) {
        byte[] raw = line.getBytes(StandardCharsets.ISO_8859_1);
        byte[] buf = new byte[Math.max(ProtocolLimits.MAX_LINE, raw.length + 16)];
        Arrays.fill(buf, (byte) '5'); // what lies past len must not matter
        System.arraycopy(raw, 0, buf, 0, raw.length);
        Command c = p.parse(buf, raw.length);
        if (c == null) {
            return new Header(p.putPri, p.putDelay, p.putTtr, p.putBytes, p.putTooBig());
        }
        return c;
    }

    static Object parse(String line) {
        return parse(new CommandParser(ProtocolLimits.DEFAULT_MAX_JOB_SIZE), line);
    }

    private static Arguments row(String line, Object expected) {
        return Arguments.of(named(show(line), line), expected);
    }

    static String show(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            if (ch >= 0x20 && ch < 0x7f) {
                b.append(ch);
            } else {
                b.append(String.format("\\x%02x", (int) ch));
            }
        }
        return b.append('"').toString();
    }

    // ------------------------------------------------------------------ every command, valid arguments

    static Stream<Arguments> validCommands() {
        return Stream.of(
                row("put 1 2 3 4", put(1, 2, 3, 4)),
                row("put 0 0 0 0", put(0, 0, 0, 0)),
                row("put 4294967295 4294967295 4294967295 65535", put(U32, U32, U32, 65535)),
                row("put 007 0000 060 005", put(7, 0, 60, 5)),
                row("put 0  0   60    5", put(0, 0, 60, 5)),
                row("put  1 2 3 4", put(1, 2, 3, 4)),
                row("peek 1", new Command.Peek(1)),
                row("peek 0", new Command.Peek(0)),
                row("peek  1", new Command.Peek(1)),
                row("peek 01", new Command.Peek(1)),
                row("peek-ready", new Command.PeekState(JobState.READY)),
                row("peek-delayed", new Command.PeekState(JobState.DELAYED)),
                row("peek-buried", new Command.PeekState(JobState.BURIED)),
                row("reserve", new Command.Reserve(-1)),
                row("reserve-with-timeout 0", new Command.Reserve(0)),
                row("reserve-with-timeout 5", new Command.Reserve(5)),
                row("reserve-job 7", new Command.ReserveJob(7)),
                row("delete 5", new Command.Delete(5)),
                row("release 1 2 3", new Command.Release(1, 2, 3)),
                row("release 1  0  0", new Command.Release(1, 0, 0)),
                row("release 18446744073709551615 4294967295 4294967295", new Command.Release(-1L, U32, U32)),
                row("bury 1 2", new Command.Bury(1, 2)),
                row("bury 1  0", new Command.Bury(1, 0)),
                row("bury 3 4294967295", new Command.Bury(3, U32)),
                row("kick 3", new Command.Kick(3)),
                row("kick-job 4", new Command.KickJob(4)),
                row("touch 9", new Command.Touch(9)),
                row("stats-job 3", new Command.StatsJob(3)),
                row("stats-tube foo", new Command.StatsTube("foo")),
                row("stats", new Command.Stats()),
                row("use foo", new Command.Use("foo")),
                row("use FOO", new Command.Use("FOO")),
                row("watch foo", new Command.Watch("foo")),
                row("ignore foo", new Command.Ignore("foo")),
                row("list-tubes", new Command.ListTubes()),
                row("list-tube-used", new Command.ListTubeUsed()),
                row("list-tubes-watched", new Command.ListTubesWatched()),
                row("quit", new Command.Quit()),
                row("pause-tube foo 5", new Command.PauseTube("foo", 5)),
                row("pause-tube foo 0", new Command.PauseTube("foo", 0)),
                row("pause-tube   foo 0", new Command.PauseTube("foo", 0)),
                row("pause-tube foo   7", new Command.PauseTube("foo", 7)),
                row("pause-tube foo 4294967295", new Command.PauseTube("foo", U32)),
                row("pause-tube foo-5 6", new Command.PauseTube("foo-5", 6)),
                row("stats-log", new Command.StatsLog())); // Sluice extension
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validCommands")
    void validCommands(String line, Object expected) {
        assertEquals(expected, parse(line));
    }

    // ------------------------------------------------------------------ prefix matching (which_cmd) and quirks

    static Stream<Arguments> prefixMatching() {
        return Stream.of(
                // quit is matched by prefix and checks nothing after it
                row("quitXYZ", new Command.Quit()),
                row("quit ", new Command.Quit()),
                row("quit 1", new Command.Quit()),
                // exact-length commands with something appended: that command's length check fails
                row("reserveX", BAD),
                row("reserve ", BAD),
                row("reserves", BAD),
                row("statsfoo", BAD),
                row("stats ", BAD),
                row("list-tubesX", BAD),
                row("list-tube-usedX", BAD),
                row("list-tubes-watchedX", BAD),
                row("list-tubes-watche", BAD),
                row("peek-readyX", BAD),
                row("peek-ready ", BAD),
                row("peek-delayedX", BAD),
                row("peek-buriedX", BAD),
                row("stats-tubes default", BAD),
                row("reserve-jobs 1", BAD),
                row("stats-logX", BAD),
                // nothing matches
                row("list-tube", UNKNOWN),
                row("peek-", UNKNOWN),
                row("kick-jobs 1", UNKNOWN),
                row("x", UNKNOWN),
                row("", UNKNOWN),
                row(" list-tube-used", UNKNOWN),
                row("\tstats", UNKNOWN),
                row("put0 0 60 5", UNKNOWN),
                row("put\t0 0 60 5", UNKNOWN),
                row("delete\t5", UNKNOWN),
                // prefixes with a space, sent without an argument: UNKNOWN_COMMAND
                row("put", UNKNOWN),
                row("peek", UNKNOWN),
                row("delete", UNKNOWN),
                row("release", UNKNOWN),
                row("bury", UNKNOWN),
                row("kick", UNKNOWN),
                row("kick-job", UNKNOWN),
                row("touch", UNKNOWN),
                row("use", UNKNOWN),
                row("watch", UNKNOWN),
                row("ignore", UNKNOWN),
                // ... but these fall through to a shorter exact command: BAD_FORMAT
                row("stats-job", BAD),
                row("stats-tube", BAD),
                row("reserve-job", BAD),
                row("reserve-with-timeout", BAD),
                row("pause-tube", BAD),
                // prefix with its space but an empty argument
                row("put ", BAD),
                row("peek ", BAD),
                row("delete ", BAD),
                row("release ", BAD),
                row("bury ", BAD),
                row("kick ", BAD),
                row("kick-job ", BAD),
                row("touch ", BAD),
                row("use ", BAD),
                row("watch ", BAD),
                row("ignore ", BAD),
                row("stats-job ", BAD),
                row("stats-tube ", BAD),
                row("reserve-job ", BAD),
                row("pause-tube ", BAD),
                row("reserve-with-timeout ", new Command.Reserve(0)),
                // pause-tube is matched without its space
                row("pause-tubefoo 5", new Command.PauseTube("foo", 5)),
                row("pause-tube5 6", new Command.PauseTube("5", 6)), // digits are name characters
                row("pause-tube default", BAD),
                row("pause-tube default ", BAD),
                row("pause-tube\tfoo 1", BAD),
                // missing fields
                row("release 1", BAD),
                row("release 1 0", BAD),
                row("bury 1", BAD),
                row("put 0", BAD),
                row("put 0 0", BAD),
                row("put 0 0 60", BAD),
                row("put 0 0 60 ", BAD),
                // command words are case-sensitive
                row("PUT 0 0 60 1", UNKNOWN),
                row("Put 0 0 60 1", UNKNOWN),
                row("Stats", UNKNOWN),
                row("STATS", UNKNOWN),
                row("LIST-TUBES", UNKNOWN),
                row("Use foo", UNKNOWN),
                row("QUIT", UNKNOWN),
                row("Quit", UNKNOWN),
                row("Reserve", UNKNOWN),
                row("DELETE 1", UNKNOWN),
                row("Pause-tube foo 1", UNKNOWN),
                row("peek-READY", UNKNOWN));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("prefixMatching")
    void prefixMatching(String line, Object expected) {
        assertEquals(expected, parse(line));
    }

    // ------------------------------------------------------------------ read_u32 / read_u64

    static Stream<Arguments> numbers() {
        return Stream.of(
                // no sign, no hex, spaces only
                row("put -1 0 60 5", BAD),
                row("put +5 0 60 5", BAD),
                row("put 0x10 0 60 5", BAD),
                row("put 0\t0 60 5", BAD),
                row("put \t0 0 60 5", BAD),
                row("peek -1", BAD),
                row("peek +1", BAD),
                row("delete -0", BAD),
                row("delete \t5", BAD),
                row("release 1 0\t0", BAD),
                row("release 1 +0 0", BAD),
                row("bury 1 -1", BAD),
                // u32 bounds
                row("put 4294967296 0 60 5", BAD),
                row("put 0 4294967296 60 5", BAD),
                row("put 0 0 4294967296 5", BAD),
                row("put 0 0 60 4294967296", BAD),
                row("put 0 0 60 99999999999999999999", BAD),
                row("put 0 0 60 18446744073709551615", BAD),
                row("put 18446744073709551616 0 60 5", BAD),
                row("put 9223372036854775808 0 60 5", BAD),
                row("release 1 4294967296 0", BAD),
                row("release 1 0 4294967296", BAD),
                row("bury 1 4294967296", BAD),
                row("pause-tube foo 4294967296", BAD),
                row("put 00000000000000000000004294967295 0 60 5", put(U32, 0, 60, 5)),
                // u64 ids
                row("peek 18446744073709551615", new Command.Peek(-1L)),
                row("peek 18446744073709551616", BAD),
                row("peek 18446744073709551620", BAD),
                row("peek 99999999999999999999999", BAD),
                row("delete 18446744073709551615", new Command.Delete(-1L)),
                row("delete 18446744073709551616", BAD),
                row("delete 9223372036854775807", new Command.Delete(Long.MAX_VALUE)),
                row("delete 9223372036854775808", new Command.Delete(Long.MIN_VALUE)),
                row("delete 000000000000000000000000000018446744073709551615", new Command.Delete(-1L)),
                row("touch 18446744073709551615", new Command.Touch(-1L)),
                row("kick-job 18446744073709551615", new Command.KickJob(-1L)),
                row("stats-job 18446744073709551615", new Command.StatsJob(-1L)),
                row("reserve-job 18446744073709551615", new Command.ReserveJob(-1L)),
                row("reserve-job 18446744073709551616", BAD),
                row("release 18446744073709551616 0 0", BAD),
                row("bury 18446744073709551616 0", BAD),
                // strict fields: a trailing space (or anything) is BAD_FORMAT
                row("delete 5 ", BAD),
                row("delete 5x", BAD),
                row("peek 1 ", BAD),
                row("peek 1x", BAD),
                row("stats-job 1 ", BAD),
                row("stats-job 1x", BAD),
                row("kick-job 1 ", BAD),
                row("touch 1 ", BAD),
                row("reserve-job 1 ", BAD),
                row("release 1 0 0 ", BAD),
                row("release 1 0 0x", BAD),
                row("bury 1 0 ", BAD),
                row("bury 1 0x", BAD),
                row("pause-tube foo 1 ", BAD),
                row("pause-tube foo 1x", BAD),
                // ... but not the non-strict ones
                row("release 1x 0 0", BAD), // the next field cannot start with 'x'
                row("bury 1 0", new Command.Bury(1, 0)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("numbers")
    void numbers(String line, Object expected) {
        assertEquals(expected, parse(line));
    }

    // ------------------------------------------------------------------ put header

    static Stream<Arguments> putHeader() {
        return Stream.of(
                row("put 0 0 60 5", put(0, 0, 60, 5)),
                // trailing garbage: BAD_FORMAT, but cmd-put already counted
                row("put 0 0 60 5 ", BAD_PUT),
                row("put 0 0 60 5 x", BAD_PUT),
                row("put 0 0 60 5x", BAD_PUT),
                row("put 0 0 60 5\t", BAD_PUT),
                row("put 0 0 60 5 6", BAD_PUT),
                row("put 0 0 60 65535 trailing", BAD_PUT),
                // the size limit is judged before trailing garbage
                row("put 0 0 60 65535", put(0, 0, 60, 65535)),
                row("put 0 0 60 65536", tooBig(65536)),
                row("put 0 0 60 65536 trailing", tooBig(65536)),
                row("put 0 0 60 65536x", tooBig(65536)),
                row("put 0 0 60 4294967295", tooBig(U32)),
                row("put 0 0 60 4294967295 ", tooBig(U32)),
                // a malformed number before the size: plain BAD_FORMAT, not counted
                row("put x 0 60 5", BAD),
                row("put 0 0 60 x", BAD),
                row("put 0 0 60 -5", BAD));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("putHeader")
    void putHeader(String line, Object expected) {
        assertEquals(expected, parse(line));
    }

    @Test
    void putSizeLimitFollowsTheConfiguredMaximum() {
        assertEquals(put(0, 0, 1, 10), parse(new CommandParser(10), "put 0 0 1 10"));
        assertEquals(new Header(0, 0, 1, 11, true), parse(new CommandParser(10), "put 0 0 1 11"));
        assertEquals(new Header(0, 0, 1, 11, true), parse(new CommandParser(10), "put 0 0 1 11 junk"));
        assertEquals(BAD_PUT, parse(new CommandParser(10), "put 0 0 1 10 junk"));
        assertEquals(put(0, 0, 1, 0), parse(new CommandParser(0), "put 0 0 1 0"));
        assertEquals(new Header(0, 0, 1, 1, true), parse(new CommandParser(0), "put 0 0 1 1"));
        long max = ProtocolLimits.MAX_MAX_JOB_SIZE;
        assertEquals(put(0, 0, 1, max), parse(new CommandParser(max), "put 0 0 1 1073741824"));
        assertEquals(new Header(0, 0, 1, max + 1, true), parse(new CommandParser(max), "put 0 0 1 1073741825"));
    }

    // ------------------------------------------------------------------ kick: strtoul into 32 bits

    static Stream<Arguments> kick() {
        return Stream.of(
                row("kick 0", new Command.Kick(0)),
                row("kick 00012", new Command.Kick(12)),
                row("kick 10abc", new Command.Kick(10)),
                row("kick 1abc", new Command.Kick(1)),
                row("kick 1 ", new Command.Kick(1)),
                row("kick 1 2", new Command.Kick(1)),
                row("kick  1", new Command.Kick(1)),
                row("kick +1", new Command.Kick(1)),
                row("kick \t1", new Command.Kick(1)),
                row("kick \u000b\f\r\n7", new Command.Kick(7)), // any isspace() byte
                row("kick 0x5", new Command.Kick(0)),
                row("kick -0", new Command.Kick(0)),
                row("kick -1", new Command.Kick(U32)),
                row("kick -2", new Command.Kick(U32 - 1)),
                row("kick -4294967295", new Command.Kick(1)),
                row("kick 4294967295", new Command.Kick(U32)),
                row("kick 4294967296", new Command.Kick(0)),
                row("kick 4294967297", new Command.Kick(1)),
                row("kick 18446744073709551615", new Command.Kick(U32)),
                row("kick -18446744073709551615", new Command.Kick(1)),
                row("kick 18446744073709551616", BAD), // ERANGE
                row("kick -18446744073709551616", BAD),
                row("kick 99999999999999999999", BAD),
                row("kick abc", BAD),
                row("kick -", BAD),
                row("kick +", BAD),
                row("kick - 1", BAD),
                row("kick  ", BAD),
                row("kick x1", BAD));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kick")
    void kick(String line, Object expected) {
        assertEquals(expected, parse(line));
    }

    // ------------------------------------------------------------------ reserve-with-timeout: 1.12 strtol into int

    static Stream<Arguments> reserveWithTimeout() {
        return Stream.of(
                row("reserve-with-timeout 0 junk", new Command.Reserve(0)),
                row("reserve-with-timeout 5 junk", new Command.Reserve(5)),
                row("reserve-with-timeout 0junk", new Command.Reserve(0)),
                row("reserve-with-timeout abc", new Command.Reserve(0)), // no digits: strtol gives 0, no errno
                row("reserve-with-timeout -", new Command.Reserve(0)),
                row("reserve-with-timeout +0", new Command.Reserve(0)),
                row("reserve-with-timeout +7", new Command.Reserve(7)),
                row("reserve-with-timeout  0", new Command.Reserve(0)),
                row("reserve-with-timeout 00", new Command.Reserve(0)),
                row("reserve-with-timeout 0 ", new Command.Reserve(0)),
                row("reserve-with-timeout \t3", new Command.Reserve(3)),
                row("reserve-with-timeout -1", new Command.Reserve(-1, true)), // negative: wait forever
                row("reserve-with-timeout -5", new Command.Reserve(-1, true)),
                row("reserve-with-timeout -0", new Command.Reserve(0)),
                row("reserve-with-timeout 2147483647", new Command.Reserve(2147483647)),
                row("reserve-with-timeout 2147483648", new Command.Reserve(-1, true)), // int wraps negative
                row("reserve-with-timeout 4294967295", new Command.Reserve(-1, true)),
                row("reserve-with-timeout 4294967296", new Command.Reserve(0)),
                row("reserve-with-timeout 4294967297", new Command.Reserve(1)),
                row("reserve-with-timeout -4294967295", new Command.Reserve(1)),
                row("reserve-with-timeout 9223372036854775807", new Command.Reserve(-1, true)),
                row("reserve-with-timeout -9223372036854775808", new Command.Reserve(0)),
                row("reserve-with-timeout 9223372036854775808", BAD), // ERANGE
                row("reserve-with-timeout -9223372036854775809", BAD),
                row("reserve-with-timeout 99999999999999999999", BAD),
                row("reserve-with-timeout 18446744073709551615", BAD));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("reserveWithTimeout")
    void reserveWithTimeout(String line, Object expected) {
        assertEquals(expected, parse(line));
    }

    // ------------------------------------------------------------------ tube names

    static Stream<Arguments> tubeNames() {
        String n200 = "a".repeat(200);
        String n201 = "a".repeat(201);
        return Stream.of(
                row("use " + n200, new Command.Use(n200)),
                row("use " + n201, BAD),
                row("watch " + n200, new Command.Watch(n200)),
                row("watch " + n201, BAD),
                row("ignore " + n200, new Command.Ignore(n200)),
                row("ignore " + n201, BAD),
                row("stats-tube " + n200, new Command.StatsTube(n200)),
                row("stats-tube " + n201, BAD),
                row("pause-tube " + n200 + " 1", new Command.PauseTube(n200, 1)),
                row("pause-tube " + n201 + " 1", BAD_PAUSE), // counted: name and delay parsed
                row("use " + NAME_CHARS, new Command.Use(NAME_CHARS)),
                row("use AZaz09-+/;.$_()", new Command.Use("AZaz09-+/;.$_()")),
                row("use x", new Command.Use("x")),
                row("use foo-", new Command.Use("foo-")),
                row("use -foo", BAD),
                row("use -", BAD),
                row("watch -foo", BAD),
                row("ignore -foo", BAD),
                row("stats-tube -foo", BAD),
                row("pause-tube -foo 1", BAD_PAUSE),
                row("pause-tube " + "-".repeat(3) + " 1", BAD_PAUSE),
                row("use  foo", BAD),
                row("use foo ", BAD),
                row("use foo bar", BAD),
                row("use \tfoo", BAD),
                row("use foo*bar", BAD),
                row("use foo!", BAD),
                row("use foo:bar", BAD),
                row("use foo,bar", BAD),
                row("use foo\"bar", BAD),
                row("use foo\u00e9", BAD),
                row("use foo\r", BAD),
                row("use foo\n", BAD),
                row("watch  foo", BAD),
                row("watch foo ", BAD),
                row("ignore foo ", BAD),
                row("ignore  foo", BAD),
                row("stats-tube foo ", BAD),
                row("stats-tube  foo", BAD),
                row("pause-tube foo* 1", BAD), // name "foo", then '*' is no delay
                row("pause-tube * 1", BAD));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tubeNames")
    void tubeNames(String line, Object expected) {
        assertEquals(expected, parse(line));
    }

    @Test
    void everyByteAsATubeNameCharacter() {
        for (int b = 0; b < 256; b++) {
            char ch = (char) b;
            boolean allowed = NAME_CHARS.indexOf(ch) >= 0;
            String mid = "a" + ch + "z";
            assertEquals(allowed ? new Command.Use(mid) : BAD, parse("use " + mid), "use, byte " + b);
            assertEquals(allowed ? new Command.Watch(mid) : BAD, parse("watch " + mid), "watch, byte " + b);
            assertEquals(allowed ? new Command.Ignore(mid) : BAD, parse("ignore " + mid), "ignore, byte " + b);
            assertEquals(allowed ? new Command.StatsTube(mid) : BAD, parse("stats-tube " + mid),
                    "stats-tube, byte " + b);
            String first = String.valueOf(ch);
            assertEquals(allowed && ch != '-' ? new Command.Use(first) : BAD, parse("use " + first),
                    "use, first byte " + b);
            if (allowed) {
                assertEquals(new Command.PauseTube(mid, 3), parse("pause-tube " + mid + " 3"), "pause, byte " + b);
            }
            assertEquals(TubeNames.isNameChar((byte) b), allowed, "isNameChar " + b);
        }
    }

    // ------------------------------------------------------------------ NUL bytes

    static Stream<Arguments> nulBytes() {
        return Stream.of(
                row("kick 1\0", BAD),
                row("kick\0 1", BAD),
                row("stats-job 1\0", BAD),
                row("peek\0 1", BAD),
                row("\0", BAD),
                row("use foo\0bar", BAD),
                row("list-tube-used\0", BAD),
                row("reserve-with-timeout 0\0", BAD),
                row("pause-tube default 0\0", BAD),
                row("quit\0", BAD), // checked before the command word: quit\0 does not quit
                row("put 0 0 60 1\0", BAD), // not counted as a put
                row("put 0 0 60 70000\0", BAD),
                row("xyz\0", BAD), // not UNKNOWN_COMMAND
                row("\0stats", BAD));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nulBytes")
    void nulBytes(String line, Object expected) {
        assertEquals(expected, parse(line));
    }

    // ------------------------------------------------------------------ one parser, many lines

    @Test
    void oneParserInstanceGivesTheSameAnswersInSequence() {
        List<Arguments> all = new ArrayList<>();
        for (Stream<Arguments> s : List.of(validCommands(), prefixMatching(), numbers(), putHeader(), kick(),
                reserveWithTimeout(), tubeNames(), nulBytes())) {
            s.forEach(all::add);
        }
        CommandParser shared = new CommandParser(ProtocolLimits.DEFAULT_MAX_JOB_SIZE);
        for (int round = 0; round < 2; round++) {
            for (Arguments a : all) {
                Object[] args = a.get();
                @SuppressWarnings("unchecked")
                String line = ((org.junit.jupiter.api.Named<String>) args[0]).getPayload();
                assertNotNull(args[1]);
                assertEquals(args[1], parse(shared, line), show(line));
            }
        }
    }
}
