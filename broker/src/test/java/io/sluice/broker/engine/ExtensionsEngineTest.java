package io.sluice.broker.engine;

import io.sluice.broker.protocol.Command;
import io.sluice.broker.protocol.JobState;
import io.sluice.broker.protocol.Reply;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The extensions' timers and state machines, driven by a manual clock (PROTOCOL.md §7). No sleeps. */
class ExtensionsEngineTest {
    private static final long MS = 1_000_000L;
    private static final long S = 1000 * MS;

    private final ManualClock clock = new ManualClock();
    private Engine engine;
    private Sink sa;
    private Sink sb;
    private Client a;
    private Client b;
    /** Asks job-state; never holds a job. */
    private Client q;
    private Sink sq;

    /** Records replies as wire-like text; OK bodies are appended. */
    private static final class Sink implements ReplySink {
        final List<String> replies = new ArrayList<>();

        @Override
        public void send(Reply reply) {
            replies.add(reply instanceof Reply.Ok ok ? new String(ok.yaml(), StandardCharsets.ISO_8859_1)
                    : reply instanceof Reply.Numbered n ? n.word() + " " + n.value() : reply.toString());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }

        String take() {
            return replies.isEmpty() ? null : replies.remove(0);
        }
    }

    @BeforeEach
    void setUp() {
        engine = new Engine(clock, 65535, 10_485_760, ServerInfo.fixed());
        sa = new Sink();
        sb = new Sink();
        a = new Client(sa);
        b = new Client(sb);
        engine.open(a);
        engine.open(b);
        sq = new Sink();
        q = new Client(sq);
        engine.open(q);
    }

    private String run(Client c, Command cmd) {
        Sink s = c == a ? sa : c == b ? sb : sq;
        engine.command(c, cmd);
        return s.take();
    }

    private static Command.PutEx putEx(String key, long ttl, boolean bury, long maxReserves) {
        return new Command.PutEx(0, 0, 60 * S, "x".getBytes(StandardCharsets.US_ASCII), key, ttl, bury, maxReserves);
    }

    private void step(long ms) {
        clock.advanceMillis(ms);
        engine.tick();
    }

    private String state(long id) {
        String yaml = run(q, new Command.JobStateOf(id, null));
        if (yaml.equals("NOT_FOUND")) {
            return yaml;
        }
        for (String l : yaml.split("\n")) {
            if (l.startsWith("state: ")) {
                return l.substring(7);
            }
        }
        throw new AssertionError(yaml);
    }

    @Test
    void aKeyMakesAPutIdempotentWhileTheJobLivesAndWhileItIsRetained() {
        assertEquals("INSERTED 1", run(a, putEx("k", 0, false, -1)));
        assertEquals("EXISTS 1", run(b, putEx("k", 0, false, -1)));
        assertEquals("RESERVED 1 1", run(a, new Command.Reserve(0)));
        assertEquals("DELETED", run(a, new Command.Delete(1)));
        assertEquals("completed", state(1));
        assertEquals("EXISTS 1", run(b, putEx("k", 0, false, -1)), "retained: still taken");
        step(3_600_000);
        assertEquals("NOT_FOUND", state(1), "forgotten after the retention time");
        assertEquals("INSERTED 2", run(b, putEx("k", 0, false, -1)));
    }

    @Test
    void theRetentionLimitForgetsTheOldestFirst() {
        engine.retention(3_600_000, 2);
        for (int i = 1; i <= 3; i++) {
            assertEquals("INSERTED " + i, run(a, new Command.Put(0, 0, 60, new byte[1])));
            assertEquals("DELETED", run(a, new Command.Delete(i)));
        }
        assertEquals("NOT_FOUND", state(1));
        assertEquals("deleted", state(2));
        assertEquals("deleted", state(3));
    }

    @Test
    void aTtlRemovesAReadyJobOnTime() {
        assertEquals("INSERTED 1", run(a, putEx(null, 500 * MS, false, -1)));
        step(499);
        assertEquals("ready", state(1));
        step(1);
        assertEquals("expired", state(1));
        assertEquals("TIMED_OUT", run(b, new Command.Reserve(0)));
        assertEquals(1, engine.ext.totalExpired);
    }

    @Test
    void onExpireBuryBuriesADelayedJob() {
        engine.command(a, new Command.PutEx(0, 10 * S, 60 * S, new byte[1], null, 2 * S, true, -1));
        sa.take();
        step(2000);
        assertEquals("buried", state(1));
        step(10_000);
        assertEquals("buried", state(1), "an expired job never becomes ready again");
    }

    @Test
    void aReservedJobOutlivesItsTtlUntilTheReservationEnds() {
        run(a, putEx(null, 1 * S, false, -1));
        assertEquals("RESERVED 1 1", run(a, new Command.Reserve(0)));
        step(1500);
        assertEquals("reserved", state(1));
        assertEquals("RELEASED", run(a, new Command.Release(1, 0, 0)));
        assertEquals("expired", state(1));

        run(a, putEx(null, 1 * S, false, -1));
        assertEquals("RESERVED 2 1", run(a, new Command.Reserve(0)));
        step(1500);
        assertEquals("DELETED", run(a, new Command.Delete(2)));
        assertEquals("completed", state(2), "the worker finished in time to delete it");
        assertEquals(1, engine.ext.totalExpired, "only the released one counts as expired");
        assertEquals(1, engine.ext.totalCompleted);
    }

    @Test
    void cancellingAReservedJobReachesItsWorkerAtTouch() {
        run(a, new Command.Put(0, 0, 60, new byte[1]));
        assertEquals("RESERVED 1 1", run(a, new Command.Reserve(0)));
        assertEquals("CANCELLING", run(b, new Command.Cancel(1, null)));
        assertEquals("CANCELLING", run(b, new Command.Cancel(1, null)));
        assertEquals("reserved", state(1));
        assertEquals("CANCELLED", run(a, new Command.Touch(1)));
        assertEquals("cancelled", state(1));
        assertEquals("NOT_FOUND", run(a, new Command.Release(1, 0, 0)));
        assertEquals(0, engine.stats.reserved);
    }

    @Test
    void aCancelledJobCannotBeReleasedAndDoesNotComeBackOnTimeoutOrDisconnect() {
        for (int i = 1; i <= 3; i++) {
            run(a, new Command.Put(0, 0, 2, new byte[1]));
        }
        assertEquals("RESERVED 1 1", run(a, new Command.Reserve(0)));
        run(b, new Command.Cancel(1, null));
        assertEquals("CANCELLED", run(a, new Command.Release(1, 0, 0)));
        assertEquals("RESERVED 2 1", run(a, new Command.Reserve(0)));
        run(b, new Command.Cancel(2, null));
        step(2000); // TTR
        assertEquals("cancelled", state(2));
        assertEquals("RESERVED 3 1", run(a, new Command.Reserve(0)));
        run(b, new Command.Cancel(3, null));
        engine.closed(a);
        assertEquals("cancelled", state(3));
        assertEquals(0, engine.stats.ready);
        assertEquals(3, engine.ext.totalCancelled);
    }

    @Test
    void cancelRemovesAReadyDelayedOrBuriedJobAtOnce() {
        run(a, new Command.Put(0, 0, 60, new byte[1]));
        run(a, new Command.Put(0, 30, 60, new byte[1]));
        assertEquals("CANCELLED", run(b, new Command.Cancel(1, null)));
        assertEquals("CANCELLED", run(b, new Command.Cancel(2, null)));
        assertEquals("NOT_FOUND", run(b, new Command.Cancel(2, null)));
        assertEquals("NOT_FOUND", run(b, new Command.Cancel(0, "nope")));
        assertEquals(0, engine.jobs.size());
    }

    @Test
    void theReserveLimitBuriesInsteadOfRequeueing() {
        run(a, new Command.TubeSet("default", 2));
        run(a, new Command.Put(0, 0, 1, new byte[1]));
        assertEquals("RESERVED 1 1", run(a, new Command.Reserve(0)));
        assertEquals("RELEASED", run(a, new Command.Release(1, 0, 0)));
        assertEquals("RESERVED 1 1", run(a, new Command.Reserve(0)));
        step(1000); // second reservation times out: buried
        assertEquals("buried", state(1));
        assertEquals(1, engine.ext.autoBuried);
        // a job's own limit overrides its tube's; a release over the limit answers BURIED
        run(a, putEx(null, 0, false, 1));
        assertEquals("RESERVED 2 1", run(a, new Command.Reserve(0)));
        assertEquals("BURIED", run(a, new Command.Release(2, 0, 0)));
        assertTrue(run(a, new Command.TubeSettingsOf("default")).endsWith("max-reserves: 2\n"));
        run(a, new Command.TubeSet("default", 0));
        assertEquals("---\nname: 'default'\nmax-reserves: 0\n", run(a, new Command.TubeSettingsOf("default")));
        run(a, new Command.Put(0, 0, 60, new byte[1]));
        assertEquals("RESERVED 3 1", run(a, new Command.Reserve(0)));
        assertEquals("RELEASED", run(a, new Command.Release(3, 0, 0)));
    }

    @Test
    void subSecondDelaysAndReserveTimeouts() {
        engine.command(a, new Command.PutEx(0, 250 * MS, 60 * S, new byte[1], null, 0, false, -1));
        sa.take();
        engine.command(b, new Command.ReserveEx(100 * MS));
        step(99);
        assertNull(sb.take());
        step(1);
        assertEquals("TIMED_OUT", sb.take());
        engine.command(b, new Command.ReserveEx(1000 * MS));
        step(149);
        assertNull(sb.take());
        step(1);
        assertEquals("RESERVED 1 1", sb.take());
        assertEquals("RELEASED", run(b, new Command.ReleaseEx(1, 0, 300 * MS)));
        step(299);
        assertEquals("delayed", state(1));
        step(1);
        assertEquals("ready", state(1));
    }

    @Test
    void anEverySchedulePutsOneJobPerInterval() {
        assertEquals("SCHEDULED", run(a, new Command.ScheduleAdd("tick", 7, 60 * S, "@every 500ms", "UTC",
                "t".getBytes(StandardCharsets.US_ASCII))));
        step(499);
        assertEquals(0, engine.stats.ready);
        step(1);
        assertEquals(1, engine.stats.ready);
        step(500);
        step(500);
        assertEquals(3, engine.stats.ready);
        Job j = engine.jobs.get(1);
        assertEquals(7, j.pri());
        assertEquals(JobState.READY, j.state());
        assertEquals("REMOVED", run(a, new Command.ScheduleRemove("tick")));
        step(5000);
        assertEquals(3, engine.stats.ready);
        assertEquals("NOT_FOUND", run(a, new Command.ScheduleRemove("tick")));
    }

    @Test
    void aCronScheduleFiresAtItsTimesInItsZone() {
        // 2023-11-14T22:13:20Z is the manual clock's wall start; 23:00 in Paris (UTC+1) is 22:00Z the next day.
        assertEquals("SCHEDULED", run(a, new Command.ScheduleAdd("n", 0, 60 * S, "0 23 * * *", "Europe/Paris",
                new byte[1])));
        String list = run(a, new Command.ScheduleList());
        assertTrue(list.contains("next-at: 1700085600000"), list);
        step(1700085600000L - clock.wall - 1);
        assertEquals(0, engine.stats.ready);
        step(1);
        assertEquals(1, engine.stats.ready);
        assertEquals("BAD_FORMAT", run(a, new Command.ScheduleAdd("bad", 0, S, "61 * * * *", "UTC", new byte[1])));
        assertEquals("BAD_FORMAT", run(a, new Command.ScheduleAdd("bad", 0, S, "@daily", "Mars/Olympus", new byte[1])));
        assertEquals("SCHEDULED", run(a, new Command.ScheduleAdd("h", 0, S, "@hourly", "UTC", new byte[1])));
        assertEquals("BAD_FORMAT", run(a, new Command.ScheduleAdd("f", 0, S, "@every 99ms", "UTC", new byte[1])));
    }

    @Test
    void aFiringMissedWhileDrainingHappensOnceWhenItCan() {
        run(a, new Command.ScheduleAdd("tick", 0, 60 * S, "@every 1s", "UTC", new byte[1]));
        engine.drain();
        step(5000);
        assertEquals(0, engine.stats.ready);
        engine.draining = false;
        step(1000);
        assertEquals(1, engine.stats.ready, "five missed firings coalesce into one");
    }

    @Test
    void listJobsPagesInIdOrderAndChangesNothing() {
        for (int i = 0; i < 5; i++) {
            run(a, new Command.Put(100 - i, 0, 60, new byte[1])); // ready heap order differs from id order
        }
        String p1 = run(a, new Command.ListJobs("default", JobState.READY, 2, 0));
        assertTrue(p1.contains("- {id: 1,") && p1.contains("- {id: 2,") && p1.endsWith("next: 2\n"), p1);
        String p3 = run(a, new Command.ListJobs("default", JobState.READY, 2, 4));
        assertTrue(p3.contains("- {id: 5,") && p3.endsWith("next: 0\n"), p3);
        assertEquals("---\njobs: []\nnext: 0\n", run(a, new Command.ListJobs("default", JobState.BURIED, 10, 0)));
        assertEquals("NOT_FOUND", run(a, new Command.ListJobs("nope", JobState.READY, 10, 0)));
        assertEquals(0, engine.stats.count("cmd-peek"));
    }

    @Test
    void clearTubeLeavesReservedJobsWithTheirWorkers() {
        for (int i = 0; i < 4; i++) {
            run(a, new Command.Put(0, i == 3 ? 10 : 0, 60, new byte[1]));
        }
        assertEquals("RESERVED 1 1", run(a, new Command.Reserve(0)));
        assertEquals("CLEARED 3", run(b, new Command.ClearTube("default")));
        assertEquals("reserved", state(1));
        assertEquals("deleted", state(4));
        assertEquals("NOT_FOUND", run(b, new Command.ClearTube("nope")));
    }
}
