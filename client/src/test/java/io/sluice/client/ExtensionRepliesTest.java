package io.sluice.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The Sluice extensions' wire forms and reply parsing, against a scripted server: the exact lines sent, the YAML of
 * job-state, list-jobs, schedule-list and stats-ext (with the quoting a real broker rarely needs), and the replies
 * that are awkward to provoke.
 */
class ExtensionRepliesTest {
    private static final Duration TTR = Duration.ofSeconds(30);

    /** An {@code OK <bytes>} reply carrying {@code yaml} (the server adds the final CRLF). */
    static String ok(String yaml) {
        return "OK " + yaml.getBytes(UTF_8).length + "\r\n" + yaml;
    }

    static String word(String line) {
        return line.contains(" ") ? line.substring(0, line.indexOf(' ')) : line;
    }

    static FakeServer serving(Map<String, String> byWord) throws Exception {
        return new FakeServer(line -> byWord.getOrDefault(word(line), "UNKNOWN_COMMAND"));
    }

    @Test
    void putWithOptionsSendsPutExAndTellsInsertedFromExists() throws Exception {
        try (FakeServer fake = new FakeServer(line -> line.contains("key=dup") ? "EXISTS 7" : "INSERTED 8");
             BeanstalkClient c = BeanstalkClient.connect(fake.config().build())) {
            PutOptions all = PutOptions.builder().key("k-1!~").ttl(Duration.ofMinutes(10))
                    .onExpire(PutOptions.OnExpire.BURY).maxReserves(3).build();
            PutResult r = c.put(5, Duration.ofMillis(250), TTR, "abc".getBytes(UTF_8), all);
            assertEquals(new PutResult(8, true), r);
            assertFalse(r.existed());
            PutResult again = c.put(0, Duration.ZERO, TTR, new byte[0], PutOptions.builder().key("dup").build());
            assertEquals(7, again.id());
            assertTrue(again.existed());
            c.put(0, Duration.ofNanos(1), Duration.ofMillis(1500), new byte[1], PutOptions.none());
            c.put(0, Duration.ZERO, TTR, new byte[1], PutOptions.builder().ttl(Duration.ofNanos(1)).build());
            assertEquals(List.of(
                    "put-ex 5 250ms 30s 3 key=k-1!~ ttl=600s on-expire=bury max-reserves=3",
                    "put-ex 0 0s 30s 0 key=dup",
                    "put-ex 0 1ms 1500ms 1",
                    "put-ex 0 0s 30s 1 ttl=1ms"), fake.lines(0), "durations in ms, rounded up; bodies consumed");
        }
    }

    @Test
    void putExRepliesOfPutMapToTheirExceptions() throws Exception {
        try (FakeServer fake = new FakeServer(line -> line.contains("key=big") ? "JOB_TOO_BIG"
                : line.contains("key=drain") ? "DRAINING" : line.contains("key=buried") ? "BURIED 9" : "BAD_FORMAT");
             BeanstalkClient c = BeanstalkClient.connect(fake.config().build())) {
            assertThrows(JobTooBigException.class, () -> c.put(0, Duration.ZERO, TTR, new byte[1], key("big")));
            assertThrows(DrainingException.class, () -> c.put(0, Duration.ZERO, TTR, new byte[1], key("drain")));
            assertEquals(9, assertThrows(BuriedException.class,
                    () -> c.put(0, Duration.ZERO, TTR, new byte[1], key("buried"))).id());
            assertThrows(BadFormatException.class, () -> c.put(0, Duration.ZERO, TTR, new byte[1], key("x")));
            assertEquals(1, fake.connections.size(), "Sluice reads the body of a put-ex it refuses: still in step");
        }
    }

    private static PutOptions key(String k) {
        return PutOptions.builder().key(k).build();
    }

    @Test
    void jobStateParsesLiveAndFinishedJobs() throws Exception {
        String live = "---\nid: 7\nkey: 'it''s: {a, b}'\ntube: 'emails'\nstate: reserved\npri: 3\nage-ms: 5021\n"
                + "reserves: 2\nttl-left-ms: 54979\ncancel-requested: true\nfinished-at: 0\n";
        String done = "---\nid: 8\nkey: ''\ntube: 't'\nstate: expired\npri: 0\nage-ms: 0\nreserves: 0\n"
                + "ttl-left-ms: 0\ncancel-requested: false\nfinished-at: 1764637200123\n";
        String noTtl = "---\nid: 9\nkey: ''\ntube: 't'\nstate: delayed\npri: 0\nage-ms: 1\nreserves: 0\n"
                + "ttl-left-ms: -1\ncancel-requested: false\nfinished-at: 0\n";
        try (FakeServer fake = new FakeServer(line -> switch (line) {
            case "job-state 7" -> ok(live);
            case "job-state-key order-8" -> ok(done);
            case "job-state 9" -> ok(noTtl);
            default -> "NOT_FOUND";
        }); BeanstalkClient c = BeanstalkClient.connect(fake.config().build())) {
            JobState s = c.jobState(7).orElseThrow();
            assertEquals(7, s.id());
            assertEquals("it's: {a, b}", s.key());
            assertEquals("emails", s.tube());
            assertEquals(JobState.State.RESERVED, s.state());
            assertFalse(s.state().isFinished());
            assertEquals(3, s.pri());
            assertEquals(Duration.ofMillis(5021), s.age());
            assertEquals(2, s.reserves());
            assertEquals(Optional.of(Duration.ofMillis(54979)), s.ttlLeft());
            assertTrue(s.cancelRequested());
            assertEquals(Optional.empty(), s.finishedAt());
            assertEquals(10, s.raw().size());

            JobState f = c.jobStateByKey("order-8").orElseThrow();
            assertEquals(JobState.State.EXPIRED, f.state());
            assertTrue(f.state().isFinished());
            assertEquals("", f.key());
            assertEquals(Optional.of(Instant.ofEpochMilli(1764637200123L)), f.finishedAt());

            assertEquals(Optional.empty(), c.jobState(9).orElseThrow().ttlLeft(), "-1: no TTL");
            assertEquals(Optional.empty(), c.jobState(10));
            assertEquals(Optional.empty(), c.jobStateByKey("nope"));
            assertEquals(List.of("job-state 7", "job-state-key order-8", "job-state 9", "job-state 10",
                    "job-state-key nope"), fake.lines(0));
        }
    }

    @Test
    void everyStateNameParses() {
        for (JobState.State st : JobState.State.values()) {
            String yaml = "---\nid: 1\nkey: ''\ntube: 't'\nstate: " + st.wireName() + "\n";
            assertEquals(st, JobState.parse(yaml.getBytes(UTF_8)).state());
        }
        assertThrows(UnexpectedReplyException.class,
                () -> JobState.parse("---\nstate: gone\n".getBytes(UTF_8)));
    }

    @Test
    void listJobsParsesPagesWithQuotedKeys() throws Exception {
        String page = "---\njobs:\n- {id: 3, pri: 0, age-ms: 1200, bytes: 5, reserves: 0, key: 'a, b: c}'}\n"
                + "- {id: 9, pri: 10, age-ms: 80, bytes: 11, reserves: 2, key: ''}\n"
                + "- {id: 12, pri: 4294967295, age-ms: 0, bytes: 0, reserves: 1, key: '''q'''}\nnext: 12\n";
        try (FakeServer fake = new FakeServer(line -> switch (line) {
            case "list-jobs t ready 3 0" -> ok(page);
            case "list-jobs t ready 3 12" -> ok("---\njobs: []\nnext: 0\n");
            default -> "NOT_FOUND";
        }); BeanstalkClient c = BeanstalkClient.connect(fake.config().build())) {
            JobPage p = c.listJobs("t", JobState.State.READY, 3, 0);
            assertEquals(List.of(new JobSummary(3, 0, Duration.ofMillis(1200), 5, 0, "a, b: c}"),
                    new JobSummary(9, 10, Duration.ofMillis(80), 11, 2, ""),
                    new JobSummary(12, 4294967295L, Duration.ZERO, 0, 1, "'q'")), p.jobs());
            assertEquals(12, p.next());
            assertFalse(p.isLast());
            JobPage last = c.listJobs("t", JobState.State.READY, 3, p.next());
            assertEquals(List.of(), last.jobs());
            assertTrue(last.isLast());
            assertEquals(new JobPage(List.of(), 0), c.listJobs("gone", JobState.State.BURIED, 1000, 0),
                    "a tube that does not exist has no jobs");
            assertEquals("list-jobs gone buried 1000 0", fake.lines(0).get(2));
        }
    }

    @Test
    void scheduleListAndStatsExtParse() throws Exception {
        String list = "---\n- {tube: 'reports', name: 'nightly', spec: '0 3 * * *', tz: 'Europe/Paris', pri: 0, "
                + "ttr-ms: 60000, bytes: 4, next-at: 1764637200000, fired: 12}\n"
                + "- {tube: 't', name: 'n', spec: '@every 500ms', tz: 'UTC', pri: 7, ttr-ms: 1500, bytes: 0, "
                + "next-at: 0, fired: 0}\n";
        String stats = "---\ncurrent-jobs-keyed: 2\ncurrent-finished-retained: 14\ntotal-completed: 10\n"
                + "total-deleted: 2\ntotal-cancelled: 1\ntotal-expired: 1\ntotal-auto-buried: 3\n"
                + "current-schedules: 1\ntotal-fired: 12\nretention-ms: 3600000\nretention-max: 100000\n";
        boolean[] empty = {false};
        try (FakeServer fake = new FakeServer(line -> switch (line) {
            case "schedule-list" -> ok(empty[0] ? "--- []\n" : list);
            case "stats-ext" -> ok(stats);
            default -> "UNKNOWN_COMMAND";
        }); BeanstalkClient c = BeanstalkClient.connect(fake.config().build())) {
            assertEquals(List.of(
                    new Schedule("reports", "nightly", "0 3 * * *", "Europe/Paris", 0, Duration.ofSeconds(60), 4,
                            Optional.of(Instant.ofEpochMilli(1764637200000L)), 12),
                    new Schedule("t", "n", "@every 500ms", "UTC", 7, Duration.ofMillis(1500), 0, Optional.empty(), 0)),
                    c.scheduleList());
            empty[0] = true;
            assertEquals(List.of(), c.scheduleList());
            ExtStats s = c.statsExt();
            assertEquals(2, s.currentJobsKeyed());
            assertEquals(14, s.currentFinishedRetained());
            assertEquals(10, s.totalCompleted());
            assertEquals(2, s.totalDeleted());
            assertEquals(1, s.totalCancelled());
            assertEquals(1, s.totalExpired());
            assertEquals(3, s.totalAutoBuried());
            assertEquals(1, s.currentSchedules());
            assertEquals(12, s.totalFired());
            assertEquals(Duration.ofHours(1), s.retention());
            assertEquals(100000, s.retentionMax());
            assertEquals(11, s.raw().size());
        }
    }

    @Test
    void cancelRepliesAndCancelledAnswersToTouchReleaseBury() throws Exception {
        try (FakeServer fake = new FakeServer(line -> switch (line) {
            case "cancel 1", "cancel-key a" -> "CANCELLED";
            case "cancel 2" -> "CANCELLING";
            case "cancel 3" -> "NOT_FOUND";
            default -> line.startsWith("touch") || line.startsWith("release") || line.startsWith("bury")
                    ? "CANCELLED" : "UNKNOWN_COMMAND";
        }); BeanstalkClient c = BeanstalkClient.connect(fake.config().build())) {
            assertEquals(Cancellation.CANCELLED, c.cancel(1));
            assertEquals(Cancellation.CANCELLED, c.cancelByKey("a"));
            assertEquals(Cancellation.CANCELLING, c.cancel(2));
            assertThrows(NotFoundException.class, () -> c.cancel(3));
            assertEquals(4, assertThrows(CancelledException.class, () -> c.touch(4)).id());
            assertEquals(5, assertThrows(CancelledException.class, () -> c.release(5, 0, Duration.ZERO)).id());
            assertEquals(6, assertThrows(CancelledException.class, () -> c.bury(6, 0)).id());
            CancelledException e = assertThrows(CancelledException.class,
                    () -> c.releaseEx(7, 1, Duration.ofMillis(200)));
            assertEquals(7, e.id());
            assertInstanceOf(BeanstalkException.class, e);
            assertEquals("release-ex 7 1 200ms", fake.lines(0).get(fake.lines(0).size() - 1));
        }
    }

    @Test
    void otherExtensionLines() throws Exception {
        try (FakeServer fake = serving(Map.of("peek-key", "FOUND 4 2\r\nhi", "delete-key", "DELETED",
                "clear-tube", "CLEARED 12", "tube-set", "UPDATED", "reserve-ex", "TIMED_OUT",
                "schedule-add", "SCHEDULED", "schedule-remove", "REMOVED"));
             BeanstalkClient c = BeanstalkClient.connect(fake.config().build())) {
            assertEquals(Optional.of(new Job(4, "hi".getBytes(UTF_8))), c.peekKey("k"));
            c.deleteKey("k");
            assertEquals(12, c.clearTube("t"));
            c.setTubeMaxReserves("t", 4294967295L);
            assertEquals(Optional.empty(), c.reserveEx(Duration.ofMillis(100)));
            c.scheduleAdd("nightly", 2, Duration.ofMinutes(1), "abc".getBytes(UTF_8), "0 3 * * *",
                    ZoneId.of("Europe/Paris"));
            c.scheduleAdd("often", 0, Duration.ofMillis(1500), new byte[0], "@every 200ms");
            c.scheduleRemove("nightly");
            assertEquals(List.of("peek-key k", "delete-key k", "clear-tube t", "tube-set t max-reserves=4294967295",
                    "reserve-ex 100ms", "schedule-add nightly 2 60s 3 0 3 * * * tz=Europe/Paris",
                    "schedule-add often 0 1500ms 0 @every 200ms", "schedule-remove nightly"), fake.lines(0));
        }
    }

    @Test
    void badArgumentsAreRefusedBeforeAnythingIsSent() throws Exception {
        try (FakeServer fake = serving(Map.of());
             BeanstalkClient c = BeanstalkClient.connect(fake.config().build())) {
            assertThrows(IllegalArgumentException.class, () -> PutOptions.builder().key("a b"));
            assertThrows(IllegalArgumentException.class, () -> PutOptions.builder().key(""));
            assertThrows(IllegalArgumentException.class, () -> PutOptions.builder().key("é"));
            assertThrows(IllegalArgumentException.class, () -> PutOptions.builder().key("k".repeat(129)));
            assertThrows(IllegalArgumentException.class, () -> PutOptions.builder().ttl(Duration.ZERO));
            assertThrows(IllegalArgumentException.class, () -> PutOptions.builder().maxReserves(-1));
            assertThrows(IllegalArgumentException.class, () -> c.peekKey("a\r\nb"));
            assertThrows(IllegalArgumentException.class, () -> c.listJobs("t", JobState.State.READY, 0, 0));
            assertThrows(IllegalArgumentException.class, () -> c.listJobs("t", JobState.State.READY, 1001, 0));
            assertThrows(IllegalArgumentException.class, () -> c.listJobs("t", JobState.State.COMPLETED, 1, 0));
            assertThrows(IllegalArgumentException.class, () -> c.reserveEx(Duration.ofMillis(-1)));
            assertThrows(IllegalArgumentException.class,
                    () -> c.releaseEx(1, 0, Duration.ofSeconds(4294967295L).plusMillis(1)));
            assertThrows(IllegalArgumentException.class,
                    () -> c.scheduleAdd("s", 0, TTR, new byte[0], "@every  1s"));
            assertThrows(IllegalArgumentException.class,
                    () -> c.scheduleAdd("s", 0, TTR, new byte[0], "@daily tz=UTC"));
            // A line over the broker's 224 bytes would be refused whole and its body read as commands.
            PutOptions longest = PutOptions.builder().key("k".repeat(128)).ttl(Duration.ofMillis(4294967294999L))
                    .onExpire(PutOptions.OnExpire.DELETE).maxReserves(4294967295L).build();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> c.put(4294967295L, Duration.ofMillis(1001), Duration.ofMillis(1), new byte[1], longest));
            assertTrue(e.getMessage().contains("224"), e.getMessage());
            assertThrows(UnknownCommandException.class, c::listTubeUsed); // the server has surely accepted by now
            assertEquals(List.of("list-tube-used"), fake.lines(0));
        }
    }

    @Test
    void aBodyCommandAnsweredUnknownDropsTheConnection() throws Exception {
        // beanstalkd answers put-ex UNKNOWN_COMMAND and then takes its body for a command line (a second reply)
        try (FakeServer fake = new FakeServer(line -> line.startsWith("put-ex") || line.startsWith("schedule-add")
                ? "UNKNOWN_COMMAND\r\nUNKNOWN_COMMAND" : line.equals("list-tube-used") ? "USING default" : "?");
             BeanstalkClient c = BeanstalkClient.connect(fake.config().build())) {
            UnknownCommandException e = assertThrows(UnknownCommandException.class,
                    () -> c.put(0, Duration.ZERO, TTR, "x".getBytes(UTF_8), key("k")));
            assertTrue(e.getMessage().contains("not a Sluice broker"), e.getMessage());
            assertEquals("default", c.listTubeUsed(), "the stray second reply was not taken for this one");
            assertThrows(UnknownCommandException.class,
                    () -> c.scheduleAdd("s", 0, TTR, "x".getBytes(UTF_8), "@hourly"));
            assertEquals("default", c.listTubeUsed());
            assertEquals(3, fake.connections.size(), "each dropped after its UNKNOWN_COMMAND");
        }
    }

    @Test
    void asyncBodyCommandAnsweredUnknownFailsTheCommandsBehindIt() throws Exception {
        try (FakeServer fake = new FakeServer(line -> line.startsWith("put-ex")
                ? "UNKNOWN_COMMAND\r\nUNKNOWN_COMMAND" : "USING default");
             AsyncBeanstalkClient c = AsyncBeanstalkClient.connect(fake.config().build())) {
            CompletableFuture<PutResult> put = c.put(0, Duration.ZERO, TTR, "x".getBytes(UTF_8), key("k"));
            assertInstanceOf(UnknownCommandException.class,
                    assertThrows(ExecutionException.class, () -> put.get(5, TimeUnit.SECONDS)).getCause());
            assertEquals("default", c.listTubeUsed().get(5, TimeUnit.SECONDS));
            assertEquals(2, fake.connections.size(), "a new connection for the command after the put-ex");
        }
    }

    @Test
    void asyncParsesTheSameReplies() throws Exception {
        try (FakeServer fake = new FakeServer(line -> switch (word(line)) {
            case "put-ex" -> "EXISTS 3";
            case "cancel-key" -> "CANCELLING";
            case "touch" -> "CANCELLED";
            case "list-jobs" -> ok("---\njobs:\n- {id: 3, pri: 0, age-ms: 1, bytes: 1, reserves: 1, key: 'k'}\n"
                    + "next: 0\n");
            default -> "NOT_FOUND";
        }); AsyncBeanstalkClient c = AsyncBeanstalkClient.connect(fake.config().build())) {
            assertEquals(new PutResult(3, false),
                    c.put(0, Duration.ZERO, TTR, new byte[1], key("k")).get(5, TimeUnit.SECONDS));
            assertEquals(Cancellation.CANCELLING, c.cancelByKey("k").get(5, TimeUnit.SECONDS));
            assertEquals(3, ((CancelledException) assertThrows(ExecutionException.class,
                    () -> c.touch(3).get(5, TimeUnit.SECONDS)).getCause()).id());
            assertEquals(List.of(new JobSummary(3, 0, Duration.ofMillis(1), 1, 1, "k")),
                    c.listJobs("t", JobState.State.RESERVED, 10, 0).get(5, TimeUnit.SECONDS).jobs());
            assertEquals(Optional.empty(), c.jobStateByKey("k").get(5, TimeUnit.SECONDS));
        }
    }
}
