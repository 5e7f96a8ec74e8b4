package io.sluice.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** Every Sluice extension of the pipelining client, over TCP against an in-process Sluice broker. */
class SluiceAsyncExtensionsTest extends BrokerTestBase {
    private static final Duration TTR = Duration.ofSeconds(60);

    @Override
    TestServer startServer() throws Exception {
        return TestServer.sluice();
    }

    private AsyncBeanstalkClient connectAsync() throws Exception {
        AsyncBeanstalkClient c = track(AsyncBeanstalkClient.connect(server.config()));
        get(c.use(tube));
        get(c.watch(tube));
        get(c.ignore("default"));
        return c;
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    private static Throwable failure(CompletableFuture<?> f) {
        return assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS)).getCause();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }

    @Test
    void keyedPutsLookupsAndStatePipelined() throws Exception {
        AsyncBeanstalkClient c = connectAsync();
        String key = tube + "/k";
        PutOptions once = PutOptions.builder().key(key).ttl(Duration.ofMinutes(1)).maxReserves(2).build();
        // pipelined: the retry is on the wire before the first reply comes back, and still finds the key
        CompletableFuture<PutResult> first = c.put(1, Duration.ZERO, TTR, bytes("a"), once);
        CompletableFuture<PutResult> retry = c.put(1, Duration.ZERO, TTR, bytes("a"), once);
        CompletableFuture<Optional<Job>> peek = c.peekKey(key);
        long id = get(first).id();
        assertTrue(get(first).created());
        assertEquals(new PutResult(id, false), get(retry));
        assertEquals(id, get(peek).orElseThrow().id());
        JobState s = get(c.jobStateByKey(key)).orElseThrow();
        assertEquals(JobState.State.READY, s.state());
        assertEquals(get(c.jobState(id)).orElseThrow().id(), s.id());
        assertEquals(List.of(id), get(c.listJobs(tube, JobState.State.READY, 10, 0)).jobs().stream()
                .map(JobSummary::id).toList());
        get(c.deleteKey(key));
        assertEquals(Optional.empty(), get(c.peekKey(key)));
        assertEquals(JobState.State.DELETED, get(c.jobState(id)).orElseThrow().state());
        assertInstanceOf(NotFoundException.class, failure(c.deleteKey(key)));
        assertEquals(Optional.empty(), get(c.jobStateByKey(tube + "/never")));
    }

    @Test
    void cancelAndTheWorkersCancelledTouch() throws Exception {
        AsyncBeanstalkClient worker = connectAsync();
        AsyncBeanstalkClient other = track(AsyncBeanstalkClient.connect(server.config()));
        get(other.use(tube));
        long waiting = get(other.put(0, Duration.ofMinutes(1), TTR, bytes("w"), PutOptions.none())).id();
        assertEquals(Cancellation.CANCELLED, get(other.cancel(waiting)));
        long keyed = get(other.put(0, Duration.ZERO, TTR, bytes("k"),
                PutOptions.builder().key(tube + "/c").build())).id();
        assertEquals(keyed, get(worker.reserve()).id());
        assertEquals(Cancellation.CANCELLING, get(other.cancelByKey(tube + "/c")));
        CancelledException e = assertInstanceOf(CancelledException.class, failure(worker.touch(keyed)));
        assertEquals(keyed, e.id());
        assertEquals(JobState.State.CANCELLED, get(other.jobState(keyed)).orElseThrow().state());
        assertInstanceOf(NotFoundException.class, failure(other.cancel(keyed)));
        assertInstanceOf(NotFoundException.class, failure(other.cancelByKey(tube + "/c")));
    }

    @Test
    void subSecondReserveAndRelease() throws Exception {
        AsyncBeanstalkClient c = connectAsync();
        long t0 = System.nanoTime();
        assertEquals(Optional.empty(), get(c.reserveEx(Duration.ofMillis(100))));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(ms >= 90 && ms < 700, "waited " + ms + " ms");
        long id = get(c.put(bytes("x")));
        assertEquals(id, get(c.reserveEx(Duration.ofMillis(100))).orElseThrow().id());
        t0 = System.nanoTime();
        get(c.releaseEx(id, 0, Duration.ofMillis(200)));
        assertEquals(id, get(c.reserveEx(Duration.ofSeconds(2))).orElseThrow().id());
        ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(ms >= 150 && ms < 800, "ready again after " + ms + " ms");
    }

    @Test
    void clearTubeAndReserveLimit() throws Exception {
        AsyncBeanstalkClient c = connectAsync();
        get(c.setTubeMaxReserves(tube, 1));
        assertEquals(1L, get(c.tubeMaxReserves(tube)));
        long id = get(c.put(bytes("once")));
        get(c.reserve());
        assertInstanceOf(BuriedException.class, failure(c.release(id, 0, Duration.ZERO)));
        get(c.put(bytes("r")));
        get(c.put(0, Duration.ofMinutes(1), TTR, bytes("d")));
        assertEquals(3L, get(c.clearTube(tube)));
        assertEquals(0L, get(c.clearTube("no-such-tube-" + tube)));
        get(c.setTubeMaxReserves(tube, 0));
        JobPage empty = get(c.listJobs("no-such-tube-" + tube, JobState.State.READY, 1, 0));
        assertTrue(empty.jobs().isEmpty() && empty.isLast());
    }

    @Test
    void schedulesAndStatsExt() throws Exception {
        AsyncBeanstalkClient c = connectAsync();
        ExtStats before = get(c.statsExt());
        get(c.scheduleAdd("tick", 0, Duration.ofSeconds(30), bytes("tick"), "@every 200ms"));
        get(c.scheduleAdd("weekly", 0, Duration.ofSeconds(30), bytes("w"), "@weekly", ZoneId.of("Asia/Tokyo")));
        List<Schedule> mine = get(c.scheduleList()).stream().filter(s -> s.tube().equals(tube)).toList();
        assertEquals(List.of("tick", "weekly"), mine.stream().map(Schedule::name).toList());
        assertEquals("Asia/Tokyo", mine.get(1).zone());
        Job fired = get(c.reserveEx(Duration.ofSeconds(3))).orElseThrow();
        assertEquals("tick", fired.bodyAsString());
        get(c.delete(fired.id()));
        assertEquals(before.currentSchedules() + 2, get(c.statsExt()).currentSchedules());
        assertTrue(get(c.statsExt()).totalFired() > before.totalFired());
        get(c.scheduleRemove("tick"));
        get(c.scheduleRemove("weekly"));
        assertInstanceOf(NotFoundException.class, failure(c.scheduleRemove("tick")));
        assertTrue(get(c.scheduleList()).stream().noneMatch(s -> s.tube().equals(tube)));
    }
}
