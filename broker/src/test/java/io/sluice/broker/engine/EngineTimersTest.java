package io.sluice.broker.engine;

import io.sluice.broker.protocol.Command;
import io.sluice.broker.protocol.Reply;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The engine stepped by a manual clock: delays, TTR, DEADLINE_SOON, reserve timeouts, pauses. No sleeps. */
class EngineTimersTest {
    private final ManualClock clock = new ManualClock();
    private Engine engine;

    /** Records replies as text. */
    private static final class Sink implements ReplySink {
        final List<String> replies = new ArrayList<>();
        boolean closed;

        @Override
        public void send(Reply reply) {
            replies.add(reply.toString());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            closed = true;
        }

        String take() {
            return replies.isEmpty() ? null : replies.remove(0);
        }
    }

    private Sink sa;
    private Sink sb;
    private Client a;
    private Client b;

    @BeforeEach
    void setUp() {
        engine = new Engine(clock, 65535, 10_485_760, ServerInfo.fixed());
        sa = new Sink();
        sb = new Sink();
        a = new Client(sa);
        b = new Client(sb);
        engine.open(a);
        engine.open(b);
    }

    private void put(Client c, long pri, long delay, long ttr) {
        engine.command(c, new Command.Put(pri, delay, ttr, "x".getBytes()));
    }

    private void step(long ms) {
        clock.advanceMillis(ms);
        engine.tick();
    }

    @Test
    void aDelayedJobBecomesReadyExactlyWhenItsDelayHasPassed() {
        put(a, 0, 2, 60);
        assertEquals("Numbered[word=INSERTED, value=1]", sa.take());
        engine.command(b, new Command.Reserve(-1));
        step(1999);
        assertEquals(null, sb.take());
        step(1);
        assertEquals("RESERVED 1 1", sb.take());
    }

    @Test
    void ttrExpiryReturnsTheJobAndCountsATimeout() {
        put(a, 0, 0, 2);
        sa.take();
        engine.command(a, new Command.Reserve(-1));
        assertEquals("RESERVED 1 1", sa.take());
        engine.command(b, new Command.Reserve(-1));
        step(1999);
        assertEquals(null, sb.take());
        step(1);
        assertEquals("RESERVED 1 1", sb.take());
        assertEquals(1, engine.jobs.get(1).timeouts());
        assertEquals(1, engine.stats.jobTimeouts);
    }

    /** A TTR past 24 days (2^31 ms) is kept apart from the usual ones (Job.ttrMillis): it must still run out. */
    @Test
    void aTtrOfThirtyDaysRunsOutOnTime() {
        long ttr = 30L * 24 * 3600;
        put(a, 0, 0, ttr);
        sa.take();
        engine.command(a, new Command.Reserve(-1));
        assertEquals("RESERVED 1 1", sa.take());
        engine.command(b, new Command.Reserve(-1));
        step(ttr * 1000 - 1);
        assertEquals(null, sb.take());
        step(1);
        assertEquals("RESERVED 1 1", sb.take());
        assertEquals(ttr * Engine.SECOND, engine.jobs.get(1).ttr());
    }

    @Test
    void deadlineSoonWhileWaitingAndOnReserve() {
        put(a, 0, 0, 3);
        sa.take();
        engine.command(a, new Command.Reserve(-1));
        sa.take();
        engine.command(a, new Command.Reserve(-1)); // waits: 3 s TTR, margin reached at 2 s
        step(1999);
        assertEquals(null, sa.take());
        step(1);
        assertEquals("DEADLINE_SOON", sa.take());
        engine.command(a, new Command.Reserve(10));
        assertEquals("DEADLINE_SOON", sa.take()); // within the margin, nothing ready
        engine.command(a, new Command.Touch(1));
        assertEquals("TOUCHED", sa.take());
        engine.command(a, new Command.Reserve(0));
        assertEquals("TIMED_OUT", sa.take()); // touched: 3 s again, not soon
    }

    @Test
    void reserveWithTimeoutGivesUpOnTimeAndCommandsBehindItWait() {
        engine.command(a, new Command.Reserve(5));
        engine.command(a, new Command.ListTubeUsed());
        step(4999);
        assertEquals(null, sa.take());
        step(1);
        assertEquals("TIMED_OUT", sa.take());
        assertEquals("Using[tube=default]", sa.take());
    }

    @Test
    void aPausedTubeServesItsWaiterWhenThePauseEnds() {
        put(a, 0, 0, 60);
        sa.take();
        engine.command(a, new Command.PauseTube("default", 3));
        assertEquals("PAUSED", sa.take());
        engine.command(b, new Command.Reserve(-1));
        step(2999);
        assertEquals(null, sb.take());
        step(1);
        assertEquals("RESERVED 1 1", sb.take());
    }

    @Test
    void lowestPriorityThenIdAcrossWatchedTubes() {
        engine.command(a, new Command.Use("t1"));
        put(a, 5, 0, 60);
        put(a, 3, 0, 60);
        engine.command(a, new Command.Use("t2"));
        put(a, 3, 0, 60);
        put(a, 4294967295L, 0, 60);
        engine.command(b, new Command.Watch("t1"));
        engine.command(b, new Command.Watch("t2"));
        sb.replies.clear();
        for (int i = 0; i < 4; i++) {
            engine.command(b, new Command.Reserve(0));
        }
        assertEquals(List.of("RESERVED 2 1", "RESERVED 3 1", "RESERVED 1 1", "RESERVED 4 1"), sb.replies);
    }

    @Test
    void closingAConnectionReturnsItsJobsToAWaitingWorker() {
        put(a, 0, 0, 60);
        sa.take();
        engine.command(a, new Command.Reserve(-1));
        sa.take();
        engine.command(b, new Command.Reserve(-1));
        assertEquals(null, sb.take());
        engine.closed(a);
        assertEquals("RESERVED 1 1", sb.take());
        assertEquals(0, engine.jobs.get(1).timeouts());
        assertTrue(engine.stats.currentConnections == 1);
    }
}
