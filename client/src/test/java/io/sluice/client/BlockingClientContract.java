package io.sluice.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** Every blocking command and every error reply, against a real broker. */
abstract class BlockingClientContract extends BrokerTestBase {
    private static final Duration TTR = Duration.ofSeconds(60);

    @Test
    void putReserveDeleteRoundTripsABinaryBody() {
        BeanstalkClient c = connect();
        assertEquals(tube, c.use(tube));
        assertEquals(2, c.watch(tube));
        assertEquals(1, c.ignore("default"));
        assertEquals(tube, c.usedTube());
        assertEquals(List.of(tube), c.watchedTubes());
        byte[] body = {0, '\r', '\n', 'x', (byte) 0xff, '\r', '\n'};
        long id = c.put(10, Duration.ZERO, TTR, body);
        Job job = c.reserve();
        assertEquals(id, job.id());
        assertArrayEquals(body, job.body());
        c.delete(id);
        assertEquals(Optional.empty(), c.peek(id));
        assertThrows(NotFoundException.class, () -> c.delete(id));
        long empty = c.put(new byte[0]);
        assertArrayEquals(new byte[0], c.reserve().body());
        c.delete(empty);
    }

    @Test
    void statsJobIsTyped() {
        BeanstalkClient c = connectOnTube();
        long id = c.put(7, Duration.ZERO, Duration.ofSeconds(30), "a".getBytes(UTF_8));
        JobStats s = c.statsJob(id);
        assertEquals(id, s.id());
        assertEquals(tube, s.tube());
        assertEquals("ready", s.state());
        assertEquals(7, s.pri());
        assertEquals(30, s.ttr());
        assertEquals(0, s.reserves());
        assertEquals(14, s.raw().size());
        c.reserve();
        JobStats r = c.statsJob(id);
        assertEquals("reserved", r.state());
        assertEquals(1, r.reserves());
        assertTrue(r.timeLeft() > 25 && r.timeLeft() <= 30, "time-left " + r.timeLeft());
        assertThrows(NotFoundException.class, () -> c.statsJob(id + 1_000_000));
    }

    @Test
    void reserveWithTimeoutAnswersEmptyOnTimedOut() {
        BeanstalkClient c = connectOnTube();
        assertEquals(Optional.empty(), c.reserve(Duration.ZERO));
        long t0 = System.nanoTime();
        assertEquals(Optional.empty(), c.reserve(Duration.ofSeconds(1)));
        long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(waitedMs >= 900, "waited " + waitedMs);
        long id = c.put("x".getBytes(UTF_8));
        assertEquals(id, c.reserve(Duration.ofSeconds(1)).orElseThrow().id());
    }

    @Test
    void reserveJobTakesOneJobOrNotFound() {
        BeanstalkClient c = connectOnTube();
        long a = c.put("a".getBytes(UTF_8));
        long b = c.put("b".getBytes(UTF_8));
        Job jb = c.reserveJob(b);
        assertEquals(b, jb.id());
        assertEquals("b", jb.bodyAsString());
        assertThrows(NotFoundException.class, () -> c.reserveJob(b));
        assertThrows(NotFoundException.class, () -> c.reserveJob(b + 1_000_000));
        assertEquals(a, c.reserve().id());
    }

    @Test
    void releaseSetsPriorityAndDelay() {
        BeanstalkClient c = connectOnTube();
        long id = c.put(100, Duration.ZERO, TTR, "r".getBytes(UTF_8));
        c.reserve();
        c.release(id, 5, Duration.ZERO);
        JobStats s = c.statsJob(id);
        assertEquals("ready", s.state());
        assertEquals(5, s.pri());
        assertEquals(1, s.releases());
        c.reserve();
        c.release(id, 5, Duration.ofSeconds(100));
        assertEquals("delayed", c.statsJob(id).state());
        assertEquals(100, c.statsJob(id).delay());
        assertThrows(NotFoundException.class, () -> c.release(id, 5, Duration.ZERO));
    }

    @Test
    void buryPeekBuriedKickAndKickJob() {
        BeanstalkClient c = connectOnTube();
        long id = c.put("b".getBytes(UTF_8));
        assertThrows(NotFoundException.class, () -> c.bury(id, 3));
        c.reserve();
        c.bury(id, 3);
        JobStats s = c.statsJob(id);
        assertEquals("buried", s.state());
        assertEquals(3, s.pri());
        assertEquals(id, c.peekBuried().orElseThrow().id());
        assertEquals(1, c.kick(10));
        assertEquals("ready", c.statsJob(id).state());
        assertEquals(Optional.empty(), c.peekBuried());
        assertThrows(NotFoundException.class, () -> c.kickJob(id));
        c.reserve();
        c.bury(id, 3);
        c.kickJob(id);
        assertEquals("ready", c.statsJob(id).state());
        assertEquals(2, c.statsJob(id).kicks());
    }

    @Test
    void kickMovesDelayedJobsUpToTheBound() {
        BeanstalkClient c = connectOnTube();
        long a = c.put(0, Duration.ofSeconds(100), TTR, "a".getBytes(UTF_8));
        c.put(0, Duration.ofSeconds(200), TTR, "b".getBytes(UTF_8));
        assertEquals(a, c.peekDelayed().orElseThrow().id());
        assertEquals(1, c.kick(1));
        TubeStats s = c.statsTube(tube);
        assertEquals(1, s.currentJobsReady());
        assertEquals(1, s.currentJobsDelayed());
        assertEquals(a, c.peekReady().orElseThrow().id());
        assertEquals(1, c.kick(100));
        assertEquals(0, c.kick(100));
    }

    @Test
    void touchRestartsTheTtrOnlyForTheHolder() {
        BeanstalkClient c = connectOnTube();
        BeanstalkClient other = connect();
        long id = c.put(0, Duration.ZERO, Duration.ofSeconds(30), "t".getBytes(UTF_8));
        assertThrows(NotFoundException.class, () -> c.touch(id));
        c.reserve();
        c.touch(id);
        assertThrows(NotFoundException.class, () -> other.touch(id));
        assertThrows(NotFoundException.class, () -> other.delete(id));
        assertEquals("reserved", other.statsJob(id).state());
    }

    @Test
    void peeksReturnEmptyOnNotFound() {
        BeanstalkClient c = connectOnTube();
        assertEquals(Optional.empty(), c.peekReady());
        assertEquals(Optional.empty(), c.peekDelayed());
        assertEquals(Optional.empty(), c.peekBuried());
        long r = c.put("ready".getBytes(UTF_8));
        long d = c.put(0, Duration.ofSeconds(100), TTR, "delayed".getBytes(UTF_8));
        assertEquals(new Job(r, "ready".getBytes(UTF_8)), c.peekReady().orElseThrow());
        assertEquals(new Job(d, "delayed".getBytes(UTF_8)), c.peekDelayed().orElseThrow());
        assertEquals("delayed", c.peek(d).orElseThrow().bodyAsString());
        assertEquals(Optional.empty(), c.peek(d + 1_000_000));
    }

    @Test
    void statsTubeIsTypedAndNotFoundForAMissingTube() {
        BeanstalkClient c = connectOnTube();
        c.put(5, Duration.ZERO, TTR, "u".getBytes(UTF_8));
        c.put(2000, Duration.ZERO, TTR, "n".getBytes(UTF_8));
        c.put(0, Duration.ofSeconds(100), TTR, "d".getBytes(UTF_8));
        TubeStats s = c.statsTube(tube);
        assertEquals(tube, s.name());
        assertEquals(1, s.currentJobsUrgent());
        assertEquals(2, s.currentJobsReady());
        assertEquals(1, s.currentJobsDelayed());
        assertEquals(3, s.totalJobs());
        assertEquals(1, s.currentUsing());
        assertEquals(1, s.currentWatching());
        assertEquals(14, s.raw().size());
        assertThrows(NotFoundException.class, () -> c.statsTube("no-such-tube-" + tube));
    }

    @Test
    void serverStatsAreTypedWithEveryRawKey() {
        BeanstalkClient c = connectOnTube();
        ServerStats before = c.stats();
        c.put("s".getBytes(UTF_8));
        ServerStats s = c.stats();
        assertEquals(51, s.raw().size(), s.raw().keySet().toString());
        assertEquals(before.cmdPut() + 1, s.cmdPut());
        assertEquals(before.cmdStats() + 1, s.cmdStats());
        assertTrue(s.pid() > 0);
        assertFalse(s.version().isEmpty());
        assertFalse(s.version().contains("\""));
        assertEquals(65535, s.maxJobSize());
        assertTrue(s.currentConnections() >= 1);
        assertTrue(s.totalJobs() >= 1);
        assertFalse(s.draining());
        assertEquals(16, s.id().length());
        assertTrue(s.rusageUtime() >= 0);
        assertEquals(s.raw().get("current-tubes"), Long.toString(s.currentTubes()));
    }

    @Test
    void tubeListings() {
        BeanstalkClient c = connect();
        c.use(tube);
        c.watch(tube + "-w");
        assertTrue(c.listTubes().containsAll(List.of("default", tube, tube + "-w")));
        assertEquals(tube, c.listTubeUsed());
        assertEquals(Set.of("default", tube + "-w"), new HashSet<>(c.listTubesWatched()));
    }

    @Test
    void pauseTubeHoldsBackReserves() {
        BeanstalkClient c = connectOnTube();
        long id = c.put("p".getBytes(UTF_8));
        c.pauseTube(tube, Duration.ofSeconds(30));
        assertEquals(30, c.statsTube(tube).pause());
        assertEquals(Optional.empty(), c.reserve(Duration.ZERO));
        c.pauseTube(tube, Duration.ZERO);
        assertEquals(id, c.reserve(Duration.ofSeconds(2)).orElseThrow().id());
        assertThrows(NotFoundException.class, () -> c.pauseTube("no-such-tube-" + tube, Duration.ofSeconds(1)));
    }

    // ---- each error reply as its exception

    @Test
    void notIgnoredWhenIgnoringTheOnlyWatchedTube() {
        BeanstalkClient c = connect();
        assertThrows(NotIgnoredException.class, () -> c.ignore("default"));
        assertEquals(List.of("default"), c.watchedTubes());
    }

    @Test
    void badFormatForAnInvalidTubeName() {
        BeanstalkClient c = connect();
        assertThrows(BadFormatException.class, () -> c.use("-starts-with-dash"));
        assertThrows(BadFormatException.class, () -> c.watch("bad*name"));
        assertEquals("default", c.usedTube());
        assertEquals("default", c.listTubeUsed()); // the connection is still in step
    }

    @Test
    void jobTooBig() {
        BeanstalkClient c = connectOnTube();
        assertThrows(JobTooBigException.class, () -> c.put(new byte[65_536]));
        assertEquals(65_535, c.reserveJob(c.put(new byte[65_535])).body().length);
    }

    @Test
    void deadlineSoonWhenAHeldJobIsAboutToExpire() {
        BeanstalkClient c = connectOnTube();
        c.put(0, Duration.ZERO, Duration.ofSeconds(1), "d".getBytes(UTF_8));
        c.reserve();
        long t0 = System.nanoTime();
        assertThrows(DeadlineSoonException.class, () -> c.reserve(Duration.ofSeconds(5)));
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(3));
    }

    @Test
    void unknownCommandAndExpectedCrlf() {
        BeanstalkClient c = connectOnTube();
        assertThrows(UnknownCommandException.class, () -> c.execute(Protocol.simple("frobnicate",
                (r, s) -> {
                    throw Protocol.error(r, "frobnicate");
                })));
        // A body one byte longer than announced: the broker reads 3+2 bytes that do not end in CRLF.
        byte[] wire = "put 0 0 10 3\r\nabcde".getBytes(UTF_8);
        assertThrows(ExpectedCrlfException.class, () -> c.execute(new Request<Void>("put (bad body)", wire, 0,
                (r, s) -> {
                    throw Protocol.error(r, "put");
                })));
        assertEquals(tube, c.listTubeUsed());
    }

    @Test
    void drainingRefusesPuts() throws Exception {
        try (TestServer own = startServer(); BeanstalkClient c = BeanstalkClient.connect(own.config())) {
            c.put("before".getBytes(UTF_8));
            own.drain();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!c.stats().draining() && System.nanoTime() < deadline) {
                Thread.sleep(10); // beanstalkd handles the signal asynchronously
            }
            assertThrows(DrainingException.class, () -> c.put("after".getBytes(UTF_8)));
            assertTrue(c.stats().draining());
        }
    }

    @Test
    void argumentsThatWouldBreakTheFramingAreRefusedLocally() {
        BeanstalkClient c = connect();
        assertThrows(IllegalArgumentException.class, () -> c.use("two words"));
        assertThrows(IllegalArgumentException.class, () -> c.watch("a\r\nput 0 0 1 1"));
        assertThrows(IllegalArgumentException.class, () -> c.use("x".repeat(201)));
        assertThrows(IllegalArgumentException.class, () -> c.put(-1, Duration.ZERO, TTR, new byte[1]));
        assertThrows(IllegalArgumentException.class, () -> c.put(1L << 32, Duration.ZERO, TTR, new byte[1]));
        assertThrows(IllegalArgumentException.class, () -> c.put(0, Duration.ofSeconds(-1), TTR, new byte[1]));
        assertThrows(IllegalArgumentException.class, () -> c.kick(-1));
        assertEquals("default", c.listTubeUsed());
    }

    @Test
    void closedClientRefusesCommands() {
        BeanstalkClient c = connect();
        c.close();
        assertTrue(c.isClosed());
        assertThrows(IllegalStateException.class, c::listTubeUsed);
        c.close();
    }

    // ---- pool

    @Test
    void poolServesSeveralProducerThreads() throws Exception {
        int threads = 8;
        int perThread = 250;
        ClientPool pool = track(ClientPool.create(server.config(), 3, tube, Duration.ofSeconds(10)));
        ExecutorService ex = Executors.newFixedThreadPool(threads);
        Set<Long> ids = ConcurrentHashMap.newKeySet();
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(ex.submit(() -> {
                    for (int k = 0; k < perThread; k++) {
                        int i = k;
                        byte[] body = (thread + ":" + i).getBytes(UTF_8);
                        long id = pool.withClient(c -> {
                            assertEquals(tube, c.usedTube());
                            if (thread == 0 && i % 50 == 0) {
                                c.use(tube + "-other"); // the pool switches it back on return
                                c.use(tube);
                            } else if (thread == 1 && i % 50 == 0) {
                                c.use(tube + "-other");
                                return -1L;
                            }
                            return c.put(body);
                        });
                        if (id > 0) {
                            assertTrue(ids.add(id), "duplicate id " + id);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            ex.shutdownNow();
        }
        int expected = threads * perThread - perThread / 50;
        assertEquals(expected, ids.size());
        assertTrue(pool.connectionsCreated() <= 3, "created " + pool.connectionsCreated());
        BeanstalkClient c = connect();
        assertEquals(expected, c.statsTube(tube).totalJobs());
        try (ClientPool.Lease lease = pool.borrow()) {
            assertEquals(tube, lease.client().listTubeUsed());
        }
        assertNotEquals(0, pool.connectionsCreated());
    }
}
