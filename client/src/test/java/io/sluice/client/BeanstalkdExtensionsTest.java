package io.sluice.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The Sluice extensions against a real beanstalkd 1.12 (skipped when /usr/bin/beanstalkd is absent): each fails
 * with a typed exception, and the client stays in step with the broker afterwards, even after a body command whose
 * body beanstalkd takes for a command line (that one costs the connection).
 */
class BeanstalkdExtensionsTest extends BrokerTestBase {
    private static final Duration TTR = Duration.ofSeconds(60);
    private static final PutOptions KEYED = PutOptions.builder().key("k").build();

    @Override
    TestServer startServer() throws Exception {
        return TestServer.beanstalkd();
    }

    @Test
    void everyExtensionFailsTypedAndTheConnectionStaysInStep() {
        BeanstalkClient c = connectOnTube();
        long id = c.put("x".getBytes(UTF_8));
        c.reserve();
        List<Runnable> bodiless = List.of(
                () -> c.peekKey("k"), () -> c.deleteKey("k"), () -> c.jobState(id), () -> c.jobStateByKey("k"),
                () -> c.cancel(id), () -> c.cancelByKey("k"),
                () -> c.listJobs(tube, JobState.State.READY, 10, 0), () -> c.clearTube(tube),
                () -> c.setTubeMaxReserves(tube, 1), () -> c.releaseEx(id, 0, Duration.ofMillis(200)),
                () -> c.reserveEx(Duration.ofMillis(100)), () -> c.scheduleRemove("s"), c::scheduleList,
                c::statsExt);
        for (Runnable call : bodiless) {
            assertRefused(call);
            assertEquals(tube, c.listTubeUsed());
        }
        assertEquals("reserved", c.statsJob(id).state(), "the same connection still holds the job");

        // beanstalkd reads these bodies as command lines: the client drops the connection (and its reservations)
        assertRefused(() -> c.put(0, Duration.ZERO, TTR, "body".getBytes(UTF_8), KEYED));
        assertEquals(tube, c.listTubeUsed(), "a new connection, tube re-applied, replies matched");
        assertEquals("ready", c.statsJob(id).state(), "released with the dropped connection");
        assertRefused(() -> c.scheduleAdd("s", 0, TTR, "body".getBytes(UTF_8), "@hourly"));
        assertEquals(tube, c.listTubeUsed());
        assertEquals(id, c.reserve().id());
        c.delete(id);
    }

    private static void assertRefused(Runnable call) {
        BeanstalkException e = assertThrows(BeanstalkException.class, call::run);
        assertTrue(e instanceof UnknownCommandException || e instanceof BadFormatException, "" + e);
    }

    @Test
    void asyncBodyCommandIsRefusedAndTheClientReconnects() throws Exception {
        AsyncBeanstalkClient c = track(AsyncBeanstalkClient.connect(server.config()));
        c.use(tube).get(10, TimeUnit.SECONDS);
        CompletableFuture<PutResult> put = c.put(0, Duration.ZERO, TTR, "body".getBytes(UTF_8), KEYED);
        assertInstanceOf(UnknownCommandException.class,
                assertThrows(ExecutionException.class, () -> put.get(10, TimeUnit.SECONDS)).getCause());
        assertEquals(tube, c.listTubeUsed().get(10, TimeUnit.SECONDS), "reconnected, tube re-applied, in step");
    }
}
