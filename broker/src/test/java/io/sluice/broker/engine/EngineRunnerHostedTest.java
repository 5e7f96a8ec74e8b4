package io.sluice.broker.engine;

import io.sluice.broker.protocol.Command;
import io.sluice.broker.protocol.Reply;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
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
    /** Replies seen by a sink, with the thread that flushed them. */
    private static final class ThreadSink implements ReplySink {
        final LinkedBlockingQueue<String> out = new LinkedBlockingQueue<>();
        private final StringBuilder replies = new StringBuilder();

        @Override
        public void send(Reply reply) {
            replies.append(reply).append(';');
        }

        @Override
        public void flush() {
            out.add(Thread.currentThread().getName() + ": " + replies);
            replies.setLength(0);
        }

        @Override
        public void close() {
        }
    }

    private static ScheduledThreadPoolExecutor host() {
        return new ScheduledThreadPoolExecutor(1, r -> new Thread(r, "host"));
    }

    @Test
    void hostedCyclesRunOnTheHostIncludingWhatWasPostedBeforeTheStart() throws Exception {
        ScheduledThreadPoolExecutor host = host();
        EngineRunner hosted = new EngineRunner(new Engine(Clock.SYSTEM, 65535, 10_485_760, ServerInfo.fixed()),
                Clock.SYSTEM);
        try {
            ThreadSink sink = new ThreadSink();
            Client c = new Client(sink);
            hosted.open(c);
            EngineRunner.Batches b = hosted.submitAll(List.of(c), List.of(List.of(
                    new Command.Put(0, 0, 60, "a".getBytes()), new Command.Reserve(-1))));
            assertNull(sink.out.poll(50, TimeUnit.MILLISECONDS), "nothing runs before startOn");
            hosted.startOn(host);
            String got = sink.out.poll(10, TimeUnit.SECONDS);
            assertNotNull(got);
            assertTrue(got.startsWith("host: ") && got.contains("value=1") && got.contains("RESERVED"), got);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!b.applied() && System.nanoTime() < end) {
                Thread.sleep(1);
            }
            assertTrue(b.applied());
        } finally {
            hosted.stop();
            host.shutdownNow();
        }
    }

    @Test
    void hostedTimersFireWithoutAnyOtherEvent() throws Exception {
        ScheduledThreadPoolExecutor host = host();
        EngineRunner hosted = new EngineRunner(new Engine(Clock.SYSTEM, 65535, 10_485_760, ServerInfo.fixed()),
                Clock.SYSTEM);
        try {
            hosted.startOn(host);
            ThreadSink sink = new ThreadSink();
            Client c = new Client(sink);
            hosted.open(c);
            long t0 = System.nanoTime();
            hosted.submitAll(List.of(c), List.of(List.of(new Command.Reserve(1))));
            String got = sink.out.poll(10, TimeUnit.SECONDS);
            while (got != null && !got.contains("TIMED_OUT")) {
                got = sink.out.poll(10, TimeUnit.SECONDS); // empty flushes of earlier cycles
            }
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertNotNull(got, "reserve-with-timeout 1 never timed out on the host");
            assertTrue(ms >= 990 && ms < 3000, "timed out after " + ms + " ms");
        } finally {
            hosted.stop();
            host.shutdownNow();
        }
    }

    @Test
    void aStopAfterTheHostEndedAppliesWhatWasPostedOnTheStoppingThread() throws Exception {
        ScheduledThreadPoolExecutor host = host();
        EngineRunner hosted = new EngineRunner(new Engine(Clock.SYSTEM, 65535, 10_485_760, ServerInfo.fixed()),
                Clock.SYSTEM);
        hosted.startOn(host);
        host.shutdown();
        assertTrue(host.awaitTermination(10, TimeUnit.SECONDS)); // it ran the first cycle, if it was queued
        ThreadSink sink = new ThreadSink();
        Client c = new Client(sink);
        hosted.open(c); // the host refuses the cycle now: the event waits in the inbox
        hosted.submitAll(List.of(c), List.of(List.of(new Command.Put(0, 0, 60, "a".getBytes()))));
        hosted.stop();
        String got = sink.out.poll(1, TimeUnit.SECONDS);
        assertNotNull(got);
        assertTrue(got.startsWith(Thread.currentThread().getName() + ": ") && got.contains("value=1"), got);
    }
}
