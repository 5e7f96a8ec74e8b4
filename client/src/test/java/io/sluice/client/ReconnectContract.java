package io.sluice.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The broker stops and a new one starts on the same port: clients reconnect and re-apply use/watch; a command in
 * flight fails with {@link ConnectionLostException} and is not re-sent. Each test has a broker of its own.
 */
abstract class ReconnectContract extends BrokerTestBase {

    /** A broker only this test stops and restarts. */
    TestServer own() throws Exception {
        return track(startServer());
    }

    /** Waits until some connection is blocked in a reserve on {@code s}. */
    static void awaitWaiting(BeanstalkClient observer, String tube) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (observer.statsTube(tube).currentWaiting() < 1) {
            assertTrue(System.nanoTime() < deadline, "no reserve arrived");
            Thread.sleep(10);
        }
    }

    @Test
    void blockingClientFailsTheCommandInFlightThenReconnectsWithItsTubes() throws Exception {
        TestServer s = own();
        BeanstalkClient c = track(BeanstalkClient.connect(s.config()));
        c.use(tube);
        c.watch(tube + "-w");
        c.ignore("default");
        ExecutorService ex = Executors.newSingleThreadExecutor();
        try {
            Future<Job> inFlight = ex.submit(() -> c.reserve());
            try (BeanstalkClient observer = BeanstalkClient.connect(s.config())) {
                awaitWaiting(observer, tube + "-w");
            }
            s.stop();
            ExecutionException e = assertThrows(ExecutionException.class, () -> inFlight.get(5, TimeUnit.SECONDS));
            assertInstanceOf(ConnectionLostException.class, e.getCause());
        } finally {
            ex.shutdownNow();
        }
        s.restart();
        assertEquals(tube, c.listTubeUsed());
        assertEquals(Set.of(tube + "-w"), new HashSet<>(c.listTubesWatched()));
        ServerStats stats = c.stats();
        assertEquals(0, stats.cmdReserve(), "the lost reserve must not be re-sent");
        assertEquals(0, stats.cmdReserveWithTimeout());
        assertEquals(1, stats.totalConnections(), "one new connection");
        long id = c.put("again".getBytes(UTF_8));
        assertEquals(tube, c.statsJob(id).tube());
    }

    @Test
    void blockingClientReplacesAConnectionTheBrokerClosedWhileIdle() throws Exception {
        TestServer s = own();
        BeanstalkClient c = track(BeanstalkClient.connect(s.config()));
        c.use(tube);
        c.put("one".getBytes(UTF_8));
        s.restart();
        Thread.sleep(150); // idle long enough for the pre-send check
        long id = c.put("two".getBytes(UTF_8)); // nothing was sent on the dead connection: no failure
        assertEquals(tube, c.statsJob(id).tube());
        assertEquals(1, c.stats().cmdPut());
    }

    @Test
    void blockingClientGivesUpAfterItsAttemptsThenRecovers() throws Exception {
        TestServer s = own();
        ClientConfig config = s.config().toBuilder().reconnectAttempts(3)
                .reconnectBackoff(Duration.ofMillis(100), Duration.ofMillis(150)).build();
        BeanstalkClient c = track(BeanstalkClient.connect(config));
        c.use(tube);
        s.stop();
        Thread.sleep(150);
        long t0 = System.nanoTime();
        assertThrows(ConnectionLostException.class, () -> c.put("x".getBytes(UTF_8)));
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(tookMs >= 240, "backoff 100 + 150 ms, took " + tookMs);
        assertEquals(false, c.isConnected());
        s.restart();
        assertEquals(tube, c.listTubeUsed());
    }

    @Test
    void asyncClientFailsWhatWasOnTheWireThenReconnectsWithItsTubes() throws Exception {
        TestServer s = own();
        AsyncBeanstalkClient c = track(AsyncBeanstalkClient.connect(s.config()));
        c.use(tube).get(5, TimeUnit.SECONDS);
        c.watch(tube).get(5, TimeUnit.SECONDS);
        c.ignore("default").get(5, TimeUnit.SECONDS);
        CompletableFuture<Job> reserve = c.reserve();
        CompletableFuture<String> behind = c.listTubeUsed();
        try (BeanstalkClient observer = BeanstalkClient.connect(s.config())) {
            awaitWaiting(observer, tube);
        }
        s.stop();
        assertInstanceOf(ConnectionLostException.class,
                assertThrows(ExecutionException.class, () -> reserve.get(5, TimeUnit.SECONDS)).getCause());
        assertInstanceOf(ConnectionLostException.class,
                assertThrows(ExecutionException.class, () -> behind.get(5, TimeUnit.SECONDS)).getCause());
        assertEquals(0, c.inFlight());
        s.restart();
        long id = c.put("again".getBytes(UTF_8)).get(10, TimeUnit.SECONDS);
        assertEquals(tube, c.statsJob(id).get(5, TimeUnit.SECONDS).tube());
        assertEquals(Set.of(tube), new HashSet<>(c.listTubesWatched().get(5, TimeUnit.SECONDS)));
        ServerStats stats = c.stats().get(5, TimeUnit.SECONDS);
        assertEquals(0, stats.cmdReserve(), "the lost reserve must not be re-sent");
        assertEquals(0, stats.cmdListTubeUsed(), "nor the command behind it");
        assertEquals(id, c.reserve(Duration.ZERO).get(5, TimeUnit.SECONDS).orElseThrow().id());
    }
}
