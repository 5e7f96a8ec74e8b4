package io.sluice.broker.engine;

import io.sluice.broker.protocol.Command;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine's cycles hosted by an executor ({@link EngineRunner#startOn}, the network loop in a broker): they run
 * there, fire their timers with no other event, and end on the stopping thread once the host is gone.
 */
class EngineRunnerHostedTest {
    private final ScheduledThreadPoolExecutor host = new ScheduledThreadPoolExecutor(1, r -> new Thread(r, "host"));
    private final EngineRunner hosted = new EngineRunner(
            new Engine(Clock.SYSTEM, 65535, 10_485_760, ServerInfo.fixed()), Clock.SYSTEM);

    @AfterEach
    void stop() throws InterruptedException {
        hosted.stop();
        host.shutdownNow();
    }

    /** A connection whose flushes name the thread that made them. */
    private static FlushLog sink() {
        return new FlushLog(() -> "on " + Thread.currentThread().getName());
    }

    @Test
    void hostedCyclesRunOnTheHostIncludingWhatWasPostedBeforeTheStart() throws Exception {
        FlushLog sink = sink();
        Client c = new Client(sink);
        hosted.open(c);
        EngineRunner.Batches b = hosted.submitAll(List.of(c), List.of(List.of(
                new Command.Put(0, 0, 60, "a".getBytes()), new Command.Reserve(-1))));
        assertNull(sink.flushes.poll(50, TimeUnit.MILLISECONDS), "nothing runs before startOn");
        hosted.startOn(host);
        String got = sink.flushes.poll(10, TimeUnit.SECONDS);
        assertNotNull(got);
        assertTrue(got.endsWith(" on host") && got.contains("value=1") && got.contains("RESERVED"), got);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!b.applied() && System.nanoTime() < end) {
            Thread.sleep(1);
        }
        assertTrue(b.applied());
    }

    @Test
    void hostedTimersFireWithoutAnyOtherEvent() throws Exception {
        hosted.startOn(host);
        FlushLog sink = sink();
        Client c = new Client(sink);
        hosted.open(c);
        long t0 = System.nanoTime();
        hosted.submitAll(List.of(c), List.of(List.of(new Command.Reserve(1))));
        String got = sink.flushes.poll(10, TimeUnit.SECONDS);
        while (got != null && !got.contains("TIMED_OUT")) {
            got = sink.flushes.poll(10, TimeUnit.SECONDS); // empty flushes of earlier cycles
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertNotNull(got, "reserve-with-timeout 1 never timed out on the host");
        assertTrue(ms >= 990 && ms < 3000, "timed out after " + ms + " ms");
    }

    @Test
    void aStopAfterTheHostEndedAppliesWhatWasPostedOnTheStoppingThread() throws Exception {
        hosted.startOn(host);
        host.shutdown();
        assertTrue(host.awaitTermination(10, TimeUnit.SECONDS)); // it ran the first cycle, if it was queued
        FlushLog sink = sink();
        Client c = new Client(sink);
        hosted.open(c); // the host refuses the cycle now: the event waits in the inbox
        hosted.submitAll(List.of(c), List.of(List.of(new Command.Put(0, 0, 60, "a".getBytes()))));
        hosted.stop();
        String got = sink.flushes.poll(1, TimeUnit.SECONDS);
        assertNotNull(got);
        assertTrue(got.endsWith(" on " + Thread.currentThread().getName()) && got.contains("value=1"), got);
    }

    @Test
    void aCycleThatThrowsStillLeavesItsTimersArmed() throws Exception {
        hosted.startOn(host);
        ReplySink broken = new ReplySink() {
            private boolean thrown;

            @Override
            public void send(io.sluice.broker.protocol.Reply reply) {
            }

            @Override
            public void flush() {
                if (!thrown) {
                    thrown = true;
                    throw new IllegalStateException("a bug, once, in one connection's sink");
                }
            }

            @Override
            public void close() {
            }
        };
        Client bad = new Client(broken);
        FlushLog sink = sink();
        Client waiter = new Client(sink);
        hosted.open(bad);
        hosted.open(waiter);
        // bad's reserve-with-timeout 0 is answered at once, so its flush throws in the cycle that must arm the
        // waiter's timer
        hosted.submitAll(List.of(bad, waiter), List.of(List.of(new Command.Reserve(0)),
                List.of(new Command.Reserve(1))));
        String got = sink.flushes.poll(10, TimeUnit.SECONDS);
        while (got != null && !got.contains("TIMED_OUT")) {
            got = sink.flushes.poll(10, TimeUnit.SECONDS);
        }
        assertNotNull(got, "the waiting reserve was forgotten after a cycle threw");
    }
}
