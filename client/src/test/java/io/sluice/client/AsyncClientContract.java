package io.sluice.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

/** The pipelining client against a real broker. */
abstract class AsyncClientContract extends BrokerTestBase {
    private static final Duration TTR = Duration.ofSeconds(60);

    AsyncBeanstalkClient connectAsync(int maxInFlight) {
        return track(AsyncBeanstalkClient.connect(server.config().toBuilder().maxInFlight(maxInFlight).build()));
    }

    static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    @Test
    void tenThousandPipelinedPutsGetDistinctIdsInOrder() throws Exception {
        AsyncBeanstalkClient c = connectAsync(1024);
        get(c.use(tube));
        int n = 10_000;
        List<CompletableFuture<Long>> puts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            puts.add(c.put(0, Duration.ZERO, TTR, ("job " + i).getBytes(UTF_8)));
            assertTrue(c.inFlight() <= 1024);
        }
        long previous = 0;
        Set<Long> ids = new HashSet<>();
        for (CompletableFuture<Long> f : puts) {
            long id = get(f);
            assertTrue(id > previous, "id " + id + " after " + previous);
            assertTrue(ids.add(id));
            previous = id;
        }
        assertEquals(n, ids.size());
        assertEquals(n, get(c.statsTube(tube)).totalJobs());
        // and the bodies went in the same order
        long first = get(puts.get(0));
        assertEquals("job 0", get(c.peek(first)).orElseThrow().bodyAsString());
        assertEquals("job 9999", get(c.peek(get(puts.get(n - 1)))).orElseThrow().bodyAsString());
    }

    @Test
    void everyCommandCompletesWithItsResult() throws Exception {
        AsyncBeanstalkClient c = connectAsync(16);
        assertEquals(tube, get(c.use(tube)));
        assertEquals(2, get(c.watch(tube)));
        assertEquals(1, get(c.ignore("default")));
        assertEquals(List.of(tube), c.watchedTubes());
        assertEquals(tube, c.usedTube());
        assertEquals(tube, get(c.listTubeUsed()));
        assertEquals(List.of(tube), get(c.listTubesWatched()));
        assertTrue(get(c.listTubes()).contains(tube));
        byte[] body = {1, 2, '\r', '\n', 3};
        long id = get(c.put(9, Duration.ZERO, TTR, body));
        assertArrayEquals(body, get(c.peekReady()).orElseThrow().body());
        Job j = get(c.reserve());
        assertEquals(id, j.id());
        get(c.touch(id));
        assertEquals("reserved", get(c.statsJob(id)).state());
        get(c.release(id, 9, Duration.ZERO));
        assertEquals(id, get(c.reserve(Duration.ofSeconds(1))).orElseThrow().id());
        get(c.bury(id, 9));
        assertEquals(id, get(c.peekBuried()).orElseThrow().id());
        assertEquals(1, get(c.kick(5)));
        assertEquals(id, get(c.reserveJob(id)).id());
        get(c.bury(id, 9));
        get(c.kickJob(id));
        long delayed = get(c.put(0, Duration.ofSeconds(100), TTR, new byte[0]));
        assertEquals(delayed, get(c.peekDelayed()).orElseThrow().id());
        assertEquals(id, get(c.peek(id)).orElseThrow().id());
        get(c.delete(id));
        get(c.delete(delayed));
        assertEquals(Optional.empty(), get(c.peek(id)));
        assertEquals(Optional.empty(), get(c.reserve(Duration.ZERO)));
        get(c.pauseTube(tube, Duration.ZERO));
        assertTrue(get(c.stats()).totalJobs() >= 2);
        assertEquals(tube, get(c.statsTube(tube)).name());
    }

    @Test
    void errorRepliesFailOnlyTheirOwnFuture() throws Exception {
        AsyncBeanstalkClient c = connectAsync(16);
        CompletableFuture<String> used = c.use(tube);
        CompletableFuture<Void> missing = c.delete(999_999_999L);
        CompletableFuture<Integer> notIgnored = c.ignore("default");
        CompletableFuture<Long> tooBig = c.put(new byte[65_536]);
        CompletableFuture<String> after = c.listTubeUsed();
        assertEquals(tube, get(used));
        ExecutionException e = assertThrows(ExecutionException.class, () -> get(missing));
        assertInstanceOf(NotFoundException.class, e.getCause());
        assertInstanceOf(NotIgnoredException.class,
                assertThrows(ExecutionException.class, () -> get(notIgnored)).getCause());
        assertInstanceOf(JobTooBigException.class,
                assertThrows(ExecutionException.class, () -> get(tooBig)).getCause());
        assertEquals(tube, get(after));
    }

    @Test
    void repliesBehindAWaitingReserveKeepTheirOrder() throws Exception {
        AsyncBeanstalkClient c = connectAsync(16);
        get(c.use(tube));
        get(c.watch(tube));
        CompletableFuture<Optional<Job>> reserve = c.reserve(Duration.ofSeconds(1));
        CompletableFuture<String> used = c.listTubeUsed();
        CompletableFuture<Long> put = c.put("after".getBytes(UTF_8));
        assertEquals(Optional.empty(), get(reserve));
        assertTrue(reserve.isDone());
        assertEquals(tube, get(used));
        long id = get(put);
        assertEquals(id, get(c.reserve(Duration.ZERO)).orElseThrow().id());
    }

    @Test
    void submittersBlockBeyondMaxInFlight() throws Exception {
        AsyncBeanstalkClient c = connectAsync(4);
        get(c.watch(tube));
        get(c.ignore("default"));
        // The reserve holds the connection's replies back until a job arrives: 1 + 3 = 4 slots taken.
        CompletableFuture<Job> reserve = c.reserve();
        List<CompletableFuture<String>> queued = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            queued.add(c.listTubeUsed());
        }
        assertEquals(4, c.inFlight());
        AtomicReference<CompletableFuture<String>> fifth = new AtomicReference<>();
        CountDownLatch started = new CountDownLatch(1);
        Thread submitter = new Thread(() -> {
            started.countDown();
            fifth.set(c.listTubeUsed());
        });
        submitter.start();
        started.await();
        Thread.sleep(300);
        assertTrue(submitter.isAlive(), "the fifth submit should block");
        assertEquals(Thread.State.WAITING, submitter.getState());
        assertEquals(null, fifth.get());
        assertFalse(reserve.isDone());

        BeanstalkClient producer = connect();
        producer.use(tube);
        long id = producer.put("go".getBytes(UTF_8));
        assertEquals(id, get(reserve).id());
        submitter.join(5000);
        assertFalse(submitter.isAlive(), "the fifth submit should proceed once replies free slots");
        for (CompletableFuture<String> f : queued) {
            assertEquals("default", get(f));
        }
        assertEquals("default", get(fifth.get()));
        get(c.delete(id));
        assertEquals(0, c.inFlight());
    }

    @Test
    void callbacksOnTheReaderThreadMaySubmitWithoutDeadlock() throws Exception {
        AsyncBeanstalkClient c = connectAsync(2);
        get(c.use(tube));
        List<CompletableFuture<Void>> chains = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            chains.add(c.put(new byte[] {(byte) i}).thenCompose(id -> c.peek(id))
                    .thenCompose(job -> c.delete(job.orElseThrow().id())));
        }
        CompletableFuture.allOf(chains.toArray(new CompletableFuture<?>[0])).get(20, TimeUnit.SECONDS);
        assertEquals(200, get(c.statsTube(tube)).cmdDelete());
        assertEquals(0, c.inFlight());
    }

    @Test
    void concurrentSubmittersOnASmallWindowEachKeepTheirOrder() throws Exception {
        // 4 threads share 8 slots: submitters flush what is staged before they block, the writer the rest
        AsyncBeanstalkClient c = connectAsync(8);
        get(c.use(tube));
        int threads = 4;
        int each = 2_000;
        List<List<CompletableFuture<Long>>> puts = new ArrayList<>();
        List<Thread> submitters = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            List<CompletableFuture<Long>> mine = new ArrayList<>(each);
            puts.add(mine);
            int thread = t;
            submitters.add(new Thread(() -> {
                for (int i = 0; i < each; i++) {
                    mine.add(c.put(0, Duration.ZERO, TTR, (thread + " " + i).getBytes(UTF_8)));
                }
            }));
        }
        submitters.forEach(Thread::start);
        for (Thread t : submitters) {
            t.join(30_000);
        }
        Set<Long> ids = new HashSet<>();
        for (int t = 0; t < threads; t++) {
            long previous = 0;
            for (CompletableFuture<Long> f : puts.get(t)) {
                long id = get(f);
                assertTrue(id > previous, "thread " + t + ": id " + id + " after " + previous);
                assertTrue(ids.add(id));
                previous = id;
            }
            List<CompletableFuture<Long>> mine = puts.get(t);
            assertEquals(t + " 0", get(c.peek(get(mine.get(0)))).orElseThrow().bodyAsString());
            assertEquals(t + " " + (each - 1), get(c.peek(get(mine.get(each - 1)))).orElseThrow().bodyAsString());
        }
        assertEquals(threads * each, get(c.statsTube(tube)).totalJobs());
        assertEquals(0, c.inFlight());
    }

    @Test
    void aBodyChangedAfterPutReturnsGoesOutAsItWasAndLargeBodiesKeepTheirPlace() throws Exception {
        AsyncBeanstalkClient c = connectAsync(4);
        get(c.use(tube));
        byte[] reused = new byte[8];
        byte[] large = new byte[40_000]; // beyond the staging's per-command limit: an array of its own
        List<CompletableFuture<Long>> puts = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            byte[] body = i % 3 == 2 ? large : reused;
            java.util.Arrays.fill(body, (byte) ('a' + i % 26));
            puts.add(c.put(0, Duration.ZERO, TTR, body));
        }
        for (int i = 0; i < 60; i++) {
            Job j = get(c.peek(get(puts.get(i)))).orElseThrow();
            assertEquals(i % 3 == 2 ? large.length : reused.length, j.body().length);
            for (byte b : j.body()) {
                assertEquals((byte) ('a' + i % 26), b, "job " + i);
            }
        }
    }

    @Test
    void closeFailsPendingFuturesAndRefusesNewOnes() throws Exception {
        AsyncBeanstalkClient c = AsyncBeanstalkClient.connect(server.config());
        get(c.watch(tube));
        get(c.ignore("default"));
        CompletableFuture<Job> reserve = c.reserve();
        Thread.sleep(50);
        c.close();
        CompletionException e = assertThrows(CompletionException.class, reserve::join);
        assertInstanceOf(ConnectionLostException.class, e.getCause());
        assertInstanceOf(IllegalStateException.class,
                assertThrows(CompletionException.class, () -> c.listTubes().join()).getCause());
        assertEquals(0, c.inFlight());
    }
}
