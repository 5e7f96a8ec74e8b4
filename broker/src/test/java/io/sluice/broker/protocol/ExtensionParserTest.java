package io.sluice.broker.protocol;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Named.named;

/**
 * The extension lines (PROTOCOL.md §7): each row parsed through {@link CommandParser} exactly as a connection would,
 * and the body-carrying ones through the decoder split at every byte.
 */
class ExtensionParserTest {
    private static final Command BAD = new Command.Invalid(Reply.BAD_FORMAT, Command.Counted.NONE);
    private static final Command BAD_PUT = new Command.Invalid(Reply.BAD_FORMAT, Command.Counted.PUT);
    private static final Command UNKNOWN = new Command.Invalid(Reply.UNKNOWN_COMMAND, Command.Counted.NONE);
    private static final long MS = 1_000_000L;
    private static final long S = 1000 * MS;

    private static Arguments row(String line, Object expected) {
        return Arguments.of(named(CommandParserTest.show(line), line), expected);
    }

    static Stream<Arguments> lines() {
        return Stream.of(
                row("peek-key abc", new Command.PeekKey("abc")),
                row("peek-key a:b/c#1'\"", new Command.PeekKey("a:b/c#1'\"")),
                row("peek-key " + "k".repeat(128), new Command.PeekKey("k".repeat(128))),
                row("peek-key " + "k".repeat(129), BAD),
                row("peek-key", BAD), // an extension names its missing argument
                row("peek-key  abc", BAD),
                row("peek-key abc ", BAD),
                row("peek-key a\u00e9", BAD),
                row("delete-key k", new Command.DeleteKey("k")),
                row("job-state 12", new Command.JobStateOf(12, null)),
                row("job-state 18446744073709551615", new Command.JobStateOf(Long.MAX_VALUE, null)), // no such job
                row("job-state 18446744073709551616", BAD), // over u64, as beanstalkd's ids
                row("cancel 18446744073709551616", BAD),
                row("job-state x", BAD),
                row("job-state-key k", new Command.JobStateOf(0, "k")),
                row("cancel 5", new Command.Cancel(5, null)),
                row("cancel 5 ", BAD),
                row("cancel-key k", new Command.Cancel(0, "k")),
                row("release-ex 5 10 250ms", new Command.ReleaseEx(5, 10, 250 * MS)),
                row("release-ex 5 10 3", new Command.ReleaseEx(5, 10, 3 * S)),
                row("release-ex 5 10 2m", new Command.ReleaseEx(5, 10, 120 * S)),
                row("release-ex 5 10 2x", BAD),
                row("release-ex 5 10", BAD),
                row("reserve-ex 50ms", new Command.ReserveEx(50 * MS)),
                row("reserve-ex 0", new Command.ReserveEx(0)),
                row("reserve-ex 4294967295s", new Command.ReserveEx(4294967295L * S)),
                row("reserve-ex 4294967296s", BAD),
                row("reserve-ex 1d", new Command.ReserveEx(86_400 * S)),
                row("reserve-ex", BAD), // falls to beanstalkd's "reserve" prefix, exact-length check
                row("list-jobs default ready", new Command.ListJobs("default", JobState.READY, 100, 0)),
                row("list-jobs q buried 5", new Command.ListJobs("q", JobState.BURIED, 5, 0)),
                row("list-jobs q reserved 5 77", new Command.ListJobs("q", JobState.RESERVED, 5, 77)),
                row("list-jobs q delayed 1000", new Command.ListJobs("q", JobState.DELAYED, 1000, 0)),
                row("list-jobs q delayed 1001", BAD),
                row("list-jobs q delayed 0", BAD),
                row("list-jobs q done", BAD),
                row("list-jobs -q ready", BAD),
                row("clear-tube q", new Command.ClearTube("q")),
                row("clear-tube q x", BAD),
                row("tube-set q max-reserves=3", new Command.TubeSet("q", 3)),
                row("tube-set q max-reserves=", BAD),
                row("tube-set q other=3", BAD),
                row("schedule-remove n", new Command.ScheduleRemove("n")),
                row("schedule-list", new Command.ScheduleList()),
                row("schedule-list x", BAD),
                row("stats-ext", new Command.StatsExt()),
                row("stats-extra", BAD), // beanstalkd's "stats" prefix, as there
                row("stats-ext ", BAD),
                row("put-ex 1 2 3", BAD_PUT),
                row("put-ex x 0 60 1", BAD_PUT),
                row("put-ex", BAD),
                row("schedule-add", BAD),
                row("tube-settings q", new Command.TubeSettingsOf("q")),
                row("frobnicate", UNKNOWN));
    }

    @ParameterizedTest
    @MethodSource("lines")
    void parses(String line, Object expected) {
        assertEquals(expected, CommandParserTest.parse(line));
    }

    // ---------------------------------------------------------------- with bodies, through the decoder

    private static final String TRANSCRIPT = "put-ex 1 250ms 30s 5 key=k1 ttl=1h on-expire=bury max-reserves=3\r\nhello\r\n"
            + "put-ex 0 0 60 3\r\nabc\r\n"                                    // no options: still a put-ex
            + "put-ex 0 0 60 2 key=a key=b\r\nxy\r\n"                        // repeated option: body read, BAD_FORMAT
            + "put-ex 0 0 60 2 color=red\r\nxy\r\n"                          // unknown option
            + "put-ex 0 0 60 2 ttl=0\r\nxy\r\n"                              // a TTL must be positive
            + "put-ex 0 0 60 20 key=big\r\n" + "z".repeat(20) + "\r\n"       // too big for max 10: skipped
            + "put-ex 0 0 60 2\r\nxyZZ"                                      // EXPECTED_CRLF, counted as a put
            + "schedule-add nightly 5 60 2 0 3 * * * tz=Europe/Paris\r\nhi\r\n"
            + "schedule-add t 0 1s 1 @every 500ms\r\n!\r\n"
            + "schedule-add t 0 1s 1 @every 500ms tz=\r\n!\r\n"              // empty zone
            + "schedule-add t 0 1s 20 @daily\r\n" + "z".repeat(20) + "\r\n"  // too big: not a put
            + "schedule-add t 0 1s 1 @daily\r\n!ZZ"                         // bad end: not a put
            + "schedule-add -t 0 1s 1 @daily\r\n!\r\n"                      // bad name: body still read
            + "schedule-add t x 1s 1 @daily\r\n"                            // bad number: no body, as put
            + "stats\r\n";

    private static final List<String> EXPECTED = List.of(
            "PutEx[pri=1, delay=250000000, ttr=30000000000, bytes=5, key=k1, ttl=3600000000000, bury=true, "
                    + "maxReserves=3] hello",
            "PutEx[pri=0, delay=0, ttr=60000000000, bytes=3, key=null, ttl=0, bury=false, maxReserves=-1] abc",
            BAD_PUT.toString(), BAD_PUT.toString(), BAD_PUT.toString(),
            "Invalid[reply=JOB_TOO_BIG, countedAs=PUT]",
            "PutBadBody[]",
            "ScheduleAdd[name=nightly, pri=5, ttr=60000000000, spec=0 3 * * *, tz=Europe/Paris, bytes=2] hi",
            "ScheduleAdd[name=t, pri=0, ttr=1000000000, spec=@every 500ms, tz=UTC, bytes=1] !",
            BAD.toString(),
            "Invalid[reply=JOB_TOO_BIG, countedAs=NONE]",
            "Invalid[reply=EXPECTED_CRLF, countedAs=NONE]",
            BAD.toString(), BAD.toString(),
            "Stats[]");

    private static List<String> decode(byte[] input, int cut) {
        EmbeddedChannel ch = new EmbeddedChannel(new CommandDecoder(10));
        ch.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(input, 0, cut)));
        ch.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(input, cut, input.length)));
        List<String> out = new ArrayList<>();
        Object m;
        while ((m = ch.readInbound()) != null) {
            Command c = (Command) m;
            byte[] body = c instanceof Command.PutEx p ? p.body() : c instanceof Command.ScheduleAdd a ? a.body() : null;
            out.add(body == null ? c.toString() : c + " " + new String(body, StandardCharsets.ISO_8859_1));
        }
        assertFalse(ch.finish());
        return out;
    }

    @Test
    void bodiesDecodeTheSameAtEverySplit() {
        byte[] input = TRANSCRIPT.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i <= input.length; i++) {
            assertEquals(EXPECTED, decode(input, i), "split at " + i);
        }
    }

    @Test
    void anAbandonedScheduleBodyIsNotAPut() {
        CommandDecoder d = new CommandDecoder(100);
        EmbeddedChannel ch = new EmbeddedChannel(d);
        ch.writeInbound(Unpooled.copiedBuffer("schedule-add t 0 1 5 @daily\r\nab", StandardCharsets.US_ASCII));
        assertEquals(null, d.abandonInput());
        assertFalse(ch.finish());
        CommandDecoder d2 = new CommandDecoder(100);
        EmbeddedChannel ch2 = new EmbeddedChannel(d2);
        ch2.writeInbound(Unpooled.copiedBuffer("put-ex 0 0 1 5 key=x\r\nab", StandardCharsets.US_ASCII));
        assertEquals(new Command.PutAbandoned(), d2.abandonInput());
        assertFalse(ch2.finish());
    }
}
