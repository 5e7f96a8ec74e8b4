package io.sluice.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

/** The worker runtime against a real broker. */
abstract class WorkerContract extends BrokerTestBase {

    /** Records every listener event as a line. */
    static final class Recorder implements WorkerListener {
        final List<String> events = new CopyOnWriteArrayList<>();
        final List<Long> reservedAt = new CopyOnWriteArrayList<>();
        final List<Duration> retryDelays = new CopyOnWriteArrayList<>();
        final AtomicInteger touches = new AtomicInteger();
        final List<Throwable> errors = new CopyOnWriteArrayList<>();

        @Override
        public void onReserved(String tube, Job job, int attempt) {
            reservedAt.add(System.nanoTime());
            events.add("reserved " + job.id() + " attempt " + attempt);
        }

        @Override
        public void onTouched(String tube, Job job) {
            touches.incrementAndGet();
        }

        @Override
        public void onSuccess(String tube, Job job, Duration elapsed) {
            events.add("success " + job.id());
        }

        @Override
        public void onFailure(String tube, Job job, int attempt, Throwable error, Duration retryDelay) {
            retryDelays.add(retryDelay);
            events.add("failure " + job.id() + " attempt " + attempt + ": " + error.getMessage());
        }

        @Override
        public void onBuried(String tube, Job job, int attempt, Throwable error) {
            events.add("buried " + job.id() + " attempt " + attempt + ": " + error.getMessage());
        }

        @Override
        public void onError(Throwable error) {
            errors.add(error);
        }

        long count(String prefix) {
            return events.stream().filter(e -> e.startsWith(prefix)).count();
        }
    }

    static void await(String what, Duration limit, java.util.function.BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(10);
        }
    }

    @Test
    void successfulJobsAreDeleted() throws Exception {
        BeanstalkClient producer = connect();
        producer.use(tube);
        Set<String> seen = ConcurrentHashMap.newKeySet();
        Recorder rec = new Recorder();
        Worker worker = track(Worker.builder(server.config())
                .handle(tube, job -> seen.add(job.bodyAsString()))
                .handle(tube + "-other", job -> seen.add("other:" + job.bodyAsString()))
                .concurrency(3)
                .listener(rec)
                .start());
        long[] ids = new long[6];
        for (int i = 0; i < 5; i++) {
            ids[i] = producer.put(("job " + i).getBytes(UTF_8));
        }
        producer.use(tube + "-other");
        ids[5] = producer.put("x".getBytes(UTF_8));
        await("6 successes", Duration.ofSeconds(10), () -> rec.count("success") == 6);
        assertEquals(Set.of("job 0", "job 1", "job 2", "job 3", "job 4", "other:x"), seen);
        for (long id : ids) {
            assertEquals(Optional.empty(), producer.peek(id), "job " + id + " deleted");
        }
        assertEquals(List.of(), rec.errors);
        worker.close();
        assertFalse(worker.isRunning());
    }

    @Test
    void failingJobIsReleasedWithBackoffThenBuried() throws Exception {
        BeanstalkClient producer = connect();
        producer.use(tube);
        Recorder rec = new Recorder();
        AtomicInteger calls = new AtomicInteger();
        track(Worker.builder(server.config())
                .handle(tube, job -> {
                    throw new IllegalStateException("boom " + calls.incrementAndGet());
                })
                .retryBackoff(Duration.ofSeconds(1), Duration.ofSeconds(2))
                .maxAttempts(3)
                .listener(rec)
                .start());
        long id = producer.put(7, Duration.ZERO, Duration.ofSeconds(60), "fail".getBytes(UTF_8));
        await("the job buried", Duration.ofSeconds(10), () -> rec.count("buried") == 1);
        assertEquals(List.of("reserved " + id + " attempt 1", "failure " + id + " attempt 1: boom 1",
                "reserved " + id + " attempt 2", "failure " + id + " attempt 2: boom 2",
                "reserved " + id + " attempt 3", "buried " + id + " attempt 3: boom 3"), rec.events);
        assertEquals(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2)), rec.retryDelays);
        // the delays really held the job back
        long firstGap = TimeUnit.NANOSECONDS.toMillis(rec.reservedAt.get(1) - rec.reservedAt.get(0));
        long secondGap = TimeUnit.NANOSECONDS.toMillis(rec.reservedAt.get(2) - rec.reservedAt.get(1));
        assertTrue(firstGap >= 900, "first retry after " + firstGap + " ms");
        assertTrue(secondGap >= 1900, "second retry after " + secondGap + " ms");
        JobStats s = producer.statsJob(id);
        assertEquals("buried", s.state());
        assertEquals(3, s.reserves());
        assertEquals(2, s.releases());
        assertEquals(1, s.buries());
        assertEquals(7, s.pri(), "priority kept");
        assertEquals(3, calls.get());
    }

    @Test
    void longHandlerIsTouchedPastItsTtrAndKeepsTheJob() throws Exception {
        BeanstalkClient producer = connect();
        producer.use(tube);
        BeanstalkClient observer = connect();
        Recorder rec = new Recorder();
        AtomicReference<JobStats> lastSeen = new AtomicReference<>();
        CountDownLatch running = new CountDownLatch(1);
        track(Worker.builder(server.config())
                .handle(tube, job -> {
                    running.countDown();
                    Thread.sleep(5000);
                    try (BeanstalkClient peeker = BeanstalkClient.connect(server.config())) {
                        lastSeen.set(peeker.statsJob(job.id()));
                    }
                })
                .listener(rec)
                .start());
        long id = producer.put(0, Duration.ZERO, Duration.ofSeconds(2), "slow".getBytes(UTF_8));
        assertTrue(running.await(5, TimeUnit.SECONDS));
        // A competing worker on the same tube must not get the job while the handler runs.
        BeanstalkClient competitor = connect();
        competitor.watch(tube);
        competitor.ignore("default");
        assertEquals(Optional.empty(), competitor.reserve(Duration.ofSeconds(4)));
        assertEquals("reserved", observer.statsJob(id).state());
        await("success", Duration.ofSeconds(10), () -> rec.count("success") == 1);
        JobStats atEnd = lastSeen.get();
        assertEquals("reserved", atEnd.state());
        assertEquals(0, atEnd.timeouts(), "the TTR never ran out");
        assertEquals(1, atEnd.reserves(), "nobody else reserved it");
        assertTrue(rec.touches.get() >= 4, "touched every ttr/2: " + rec.touches.get());
        assertEquals(Optional.empty(), observer.peek(id));
        assertEquals(List.of(), rec.errors);
    }

    @Test
    void closeStopsReservingAndFinishesInFlightJobs() throws Exception {
        BeanstalkClient producer = connect();
        producer.use(tube);
        Recorder rec = new Recorder();
        AtomicInteger finished = new AtomicInteger();
        Worker worker = Worker.builder(server.config())
                .handle(tube, job -> {
                    Thread.sleep(1500);
                    finished.incrementAndGet();
                })
                .concurrency(2)
                .listener(rec)
                .start();
        long a = producer.put(0, Duration.ZERO, Duration.ofSeconds(60), "a".getBytes(UTF_8));
        long b = producer.put(0, Duration.ZERO, Duration.ofSeconds(60), "b".getBytes(UTF_8));
        long c = producer.put(0, Duration.ZERO, Duration.ofSeconds(60), "c".getBytes(UTF_8));
        await("two jobs running", Duration.ofSeconds(5), () -> rec.count("reserved") == 2);
        assertEquals(2, producer.statsTube(tube).currentWatching());
        long t0 = System.nanoTime();
        worker.close();
        long closeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(closeMs < 4000, "close took " + closeMs + " ms");
        assertEquals(2, finished.get(), "in-flight jobs finished before close returned");
        assertEquals(2, rec.count("success"));
        assertEquals(Optional.empty(), producer.peek(a));
        assertEquals(Optional.empty(), producer.peek(b));
        JobStats third = producer.statsJob(c);
        assertEquals("ready", third.state());
        assertEquals(0, third.reserves(), "no job reserved after close began");
        await("connections closed", Duration.ofSeconds(2), () -> producer.statsTube(tube).currentWatching() == 0);
    }

    @Test
    void closeDuringAnOutageReturnsPromptly() throws Exception {
        TestServer s = track(startServer());
        // Reconnects that would go on for many minutes: close() must not wait for them.
        ClientConfig config = s.config().toBuilder().reconnectAttempts(1000)
                .reconnectBackoff(Duration.ofMillis(100), Duration.ofSeconds(2)).build();
        Recorder rec = new Recorder();
        Worker worker = Worker.builder(config).handle(tube, job -> { }).concurrency(2).listener(rec).start();
        try {
            try (BeanstalkClient observer = BeanstalkClient.connect(s.config())) {
                await("two reserves waiting", Duration.ofSeconds(5), () -> {
                    try {
                        return observer.statsTube(tube).currentWaiting() == 2;
                    } catch (NotFoundException e) {
                        return false; // no watch has created the tube yet
                    }
                });
            }
            s.stop();
            await("both connections lost", Duration.ofSeconds(5), () -> rec.errors.stream()
                    .filter(e -> e instanceof ConnectionLostException).count() == 2);
            // Past the 1 s pause after the error: both threads are now backing off between connect attempts
            // (nothing to poll for: no hook reports a failed attempt).
            Thread.sleep(2500);
            long t0 = System.nanoTime();
            assertTimeoutPreemptively(Duration.ofSeconds(10), worker::close, "close waited for the reconnects");
            long closeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(closeMs < 2000, "close took " + closeMs + " ms");
            assertFalse(worker.isRunning());
        } finally {
            worker.shutdown();
        }
    }
}
