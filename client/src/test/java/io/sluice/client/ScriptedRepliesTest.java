package io.sluice.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * Replies a real broker does not give on demand (out of memory, internal error, buried on put, timed out on a
 * plain reserve, garbage, silence, a connection dropped mid-command), from a scripted server.
 */
class ScriptedRepliesTest {
    private static final Duration TTR = Duration.ofSeconds(60);

    /** Answers by the command word, from a table; {@code default} for the rest. */
    static FakeServer serving(Map<String, String> byWord) throws Exception {
        return new FakeServer(line -> {
            String word = line.contains(" ") ? line.substring(0, line.indexOf(' ')) : line;
            return byWord.getOrDefault(word, byWord.getOrDefault("*", "UNKNOWN_COMMAND"));
        });
    }

    @Test
    void serverSideErrorsMapToTheirExceptions() throws Exception {
        try (FakeServer fake = serving(Map.of("put", "OUT_OF_MEMORY", "bury", "INTERNAL_ERROR",
                "delete", "DRAINING", "touch", "EXPECTED_CRLF", "kick", "UNKNOWN_COMMAND", "use", "BAD_FORMAT"));
             BeanstalkClient c = BeanstalkClient.connect(fake.config().build())) {
            assertThrows(OutOfMemoryException.class, () -> c.put(new byte[3]));
            assertThrows(InternalErrorException.class, () -> c.bury(1, 0));
            assertThrows(DrainingException.class, () -> c.delete(1));
            assertThrows(ExpectedCrlfException.class, () -> c.touch(1));
            assertThrows(UnknownCommandException.class, () -> c.kick(1));
            BadFormatException e = assertThrows(BadFormatException.class, () -> c.use("x"));
            assertEquals("BAD_FORMAT (use x)", e.getMessage());
            assertEquals("default", c.usedTube());
        }
    }

    @Test
    void buriedCarriesTheJobId() throws Exception {
        try (FakeServer fake = serving(Map.of("put", "BURIED 42", "release", "BURIED"));
             BeanstalkClient c = BeanstalkClient.connect(fake.config().build())) {
            assertEquals(42, assertThrows(BuriedException.class, () -> c.put(new byte[1])).id());
            assertEquals(7, assertThrows(BuriedException.class, () -> c.release(7, 0, Duration.ZERO)).id());
        }
    }

    @Test
    void plainReserveTimedOutIsAnException() throws Exception {
        try (FakeServer fake = serving(Map.of("reserve", "TIMED_OUT", "reserve-with-timeout", "DEADLINE_SOON"));
             BeanstalkClient c = BeanstalkClient.connect(fake.config().build())) {
            assertThrows(TimedOutException.class, c::reserve);
            assertThrows(DeadlineSoonException.class, () -> c.reserve(Duration.ofSeconds(1)));
        }
    }

    @Test
    void unexpectedRepliesAreReportedAndTheConnectionStaysInStep() throws Exception {
        try (FakeServer fake = serving(Map.of("put", "WHAT 1", "touch", "DELETED", "list-tube-used", "USING t"));
             BeanstalkClient c = BeanstalkClient.connect(fake.config().build())) {
            assertThrows(UnexpectedReplyException.class, () -> c.put(new byte[1]));
            assertThrows(UnexpectedReplyException.class, () -> c.touch(1));
            assertEquals("t", c.listTubeUsed());
            assertEquals(1, fake.connections.size());
        }
    }

    @Test
    void aCommandWhoseReplyIsLostFailsAndIsNotResent() throws Exception {
        try (FakeServer fake = new FakeServer(line -> {
            if (line.startsWith("use ")) {
                return "USING " + line.substring(4);
            }
            if (line.startsWith("watch ")) {
                return "WATCHING 2";
            }
            if (line.startsWith("put ")) {
                return FakeServer.CLOSE; // the broker went away with the put
            }
            return "USING t1";
        }); BeanstalkClient c = BeanstalkClient.connect(fake.config().build())) {
            c.use("t1");
            c.watch("w1");
            ConnectionLostException e = assertThrows(ConnectionLostException.class, () -> c.put(new byte[2]));
            assertTrue(e.getMessage().contains("not re-sent"), e.getMessage());
            assertEquals("t1", c.listTubeUsed());
            assertEquals(List.of("use t1", "watch w1", "put 1024 0 60 2"), fake.lines(0));
            assertEquals(List.of("use t1", "watch w1", "list-tube-used"), fake.lines(1),
                    "re-applied use and watch, and did not re-send the put");
        }
    }

    @Test
    void noReplyWithinTheReadTimeoutIsALostConnection() throws Exception {
        try (FakeServer fake = serving(Map.of("stats", FakeServer.SILENT, "*", "USING default"));
             BeanstalkClient c = BeanstalkClient.connect(fake.config().readTimeout(Duration.ofMillis(300)).build())) {
            long t0 = System.nanoTime();
            assertThrows(ConnectionLostException.class, c::stats);
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(ms >= 250 && ms < 3000, "took " + ms);
            assertEquals("default", c.listTubeUsed());
            assertEquals(2, fake.connections.size(), "a late reply cannot be mistaken: new connection");
        }
    }

    @Test
    void asyncReadTimeoutFailsTheWaitingCommands() throws Exception {
        java.util.concurrent.atomic.AtomicInteger seen = new java.util.concurrent.atomic.AtomicInteger();
        try (FakeServer fake = new FakeServer(line -> seen.incrementAndGet() <= 2 ? FakeServer.SILENT : "USING default");
             AsyncBeanstalkClient c = AsyncBeanstalkClient.connect(
                     fake.config().readTimeout(Duration.ofMillis(300)).build())) {
            CompletableFuture<ServerStats> stats = c.stats();
            CompletableFuture<String> behind = c.listTubeUsed();
            assertInstanceOf(ConnectionLostException.class,
                    assertThrows(ExecutionException.class, () -> stats.get(5, TimeUnit.SECONDS)).getCause());
            assertInstanceOf(ConnectionLostException.class,
                    assertThrows(ExecutionException.class, () -> behind.get(5, TimeUnit.SECONDS)).getCause());
            assertEquals("default", c.listTubeUsed().get(5, TimeUnit.SECONDS));
            assertEquals(List.of("stats", "list-tube-used"), fake.lines(0));
            assertEquals(List.of("list-tube-used"), fake.lines(1), "nothing re-sent");
        }
    }

    @Test
    void asyncReserveMayWaitItsTimeoutBeyondTheReadTimeout() throws Exception {
        try (FakeServer fake = new FakeServer(line -> {
            if (line.startsWith("reserve-with-timeout")) {
                try {
                    Thread.sleep(800);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return "TIMED_OUT";
            }
            return "USING default";
        }); AsyncBeanstalkClient c = AsyncBeanstalkClient.connect(
                fake.config().readTimeout(Duration.ofMillis(300)).build())) {
            assertEquals(java.util.Optional.empty(), c.reserve(Duration.ofSeconds(1)).get(5, TimeUnit.SECONDS));
            assertEquals(1, fake.connections.size());
        }
    }

    @Test
    void asyncLossMidPipelineFailsWhatWasWrittenAndSendsTheRestOnceOnANewConnection() throws Exception {
        // window 4: the submitter flushes before it blocks; "stats" closes the connection under it, 100 ms later,
        // when the 3 commands behind it are on the wire
        try (FakeServer fake = new FakeServer(line -> {
            if (!line.equals("stats")) {
                return "NOT_FOUND";
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return FakeServer.CLOSE;
        });
             AsyncBeanstalkClient c = AsyncBeanstalkClient.connect(fake.config().maxInFlight(4).build())) {
            List<CompletableFuture<TubeStats>> before = new java.util.ArrayList<>();
            List<CompletableFuture<TubeStats>> after = new java.util.ArrayList<>();
            for (int i = 0; i < 100; i++) {
                before.add(c.statsTube("t" + i));
            }
            CompletableFuture<ServerStats> stats = c.stats();
            for (int i = 100; i < 200; i++) {
                after.add(c.statsTube("t" + i));
            }
            assertInstanceOf(ConnectionLostException.class,
                    assertThrows(ExecutionException.class, () -> stats.get(5, TimeUnit.SECONDS)).getCause());
            java.util.Set<String> answered = new java.util.HashSet<>();
            int lost = 0;
            for (List<CompletableFuture<TubeStats>> fs : List.of(before, after)) {
                for (int i = 0; i < fs.size(); i++) {
                    String tube = "t" + (fs == before ? i : 100 + i);
                    CompletableFuture<TubeStats> f = fs.get(i);
                    Throwable own = assertThrows(ExecutionException.class, () -> f.get(5, TimeUnit.SECONDS))
                            .getCause();
                    if (own instanceof NotFoundException) {
                        answered.add(tube);
                    } else {
                        assertInstanceOf(ConnectionLostException.class, own, tube);
                        assertTrue(fs == after, tube + ": only commands behind stats may be lost");
                        lost++;
                    }
                }
            }
            assertEquals(3, lost, "the 3 other slots were on the wire with stats");
            assertEquals(200 - lost, answered.size());
            List<String> sent = new java.util.ArrayList<>();
            for (int k = 0; k < fake.connections.size(); k++) {
                sent.addAll(fake.lines(k));
            }
            sent.remove("stats");
            assertEquals(new java.util.HashSet<>(sent).size(), sent.size(), "nothing sent twice: " + sent);
            for (String tube : answered) {
                assertTrue(sent.contains("stats-tube " + tube), tube);
            }
            assertEquals(2, fake.connections.size());
        }
    }

    @Test
    void malformedFramingDropsTheConnection() throws Exception {
        try (FakeServer fake = serving(Map.of("stats", "OK 3\r\nabcXY", "*", "USING default"));
             BeanstalkClient c = BeanstalkClient.connect(fake.config().build())) {
            assertThrows(ConnectionLostException.class, c::stats);
            assertEquals("default", c.listTubeUsed());
        }
    }

    @Test
    void connectRetriesWithBackoffThenGivesUp() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        ClientConfig config = ClientConfig.builder().port(port).reconnectAttempts(4)
                .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(100)).build();
        long t0 = System.nanoTime();
        ConnectionLostException e = assertThrows(ConnectionLostException.class,
                () -> BeanstalkClient.connect(config));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(ms >= 240, "50 + 100 + 100 ms of backoff, took " + ms);
        assertTrue(e.getMessage().contains("4 attempt"), e.getMessage());
        assertThrows(ConnectionLostException.class, () -> AsyncBeanstalkClient.connect(config));
    }

    @Test
    void putSendsHeaderBodyAndCrlf() throws Exception {
        try (FakeServer fake = serving(Map.of("put", "INSERTED 18446744073709551615"));
             BeanstalkClient c = BeanstalkClient.connect(fake.config().build())) {
            long id = c.put(4294967295L, Duration.ofMillis(1500), Duration.ofMillis(1), "hé".getBytes(UTF_8));
            assertEquals("18446744073709551615", Long.toUnsignedString(id));
            assertEquals(List.of("put 4294967295 2 1 3"), fake.lines(0));
        }
    }
}
