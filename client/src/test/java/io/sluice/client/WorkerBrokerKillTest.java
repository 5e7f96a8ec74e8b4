package io.sluice.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker keeps running while its broker (a real process with a durable log, fsync always) is killed with SIGKILL
 * mid-run and restarted on the same port and data directory, twice: the worker reconnects by itself and every job
 * is handled, none lost; the broker ends empty.
 *
 * <p>Duplicates: a handling is repeated only when the reservation it ran under ended without a durable
 * {@code DELETED} (fsync always: an acknowledged delete survives the kill). The handler never fails and never gets
 * near the 60 s TTR, so the only such end is a kill, and a kill ends at most one reservation per worker connection
 * (each holds at most one job, and reconnects only to the next broker). So extra handlings &lt;= concurrency * kills.
 */
class WorkerBrokerKillTest {
    private static final String TUBE = "kill-test";
    private static final int INITIAL_JOBS = 2000;
    private static final int JOBS_PER_RESTART = 200;
    private static final int CONCURRENCY = 4;
    private static final int KILLS = 2;

    @TempDir
    Path dataDir;

    /** body → how many times a handler ran for it. */
    private final Map<String, Integer> handled = new ConcurrentHashMap<>();
    private final AtomicInteger distinct = new AtomicInteger();
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void workerSurvivesBrokerKillsWithoutLosingAJob() throws Exception {
        long t0 = System.nanoTime();
        BrokerProcess broker = BrokerProcess.startOnFreePort(dataDir);
        int port = broker.port();
        // Outages here last well under a second, but a loaded machine may restart the JVM slowly: give each
        // (re)connect ~20 s of attempts. The worker would also retry after a failed connect; this keeps it quiet.
        ClientConfig config = ClientConfig.builder().port(port).readTimeout(Duration.ofSeconds(20))
                .reconnectAttempts(50).reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(500)).build();
        List<String> bodies = new ArrayList<>();
        Worker worker = null;
        try (BeanstalkClient producer = BeanstalkClient.connect(config)) {
            producer.use(TUBE);
            // Pipelined, so the fsyncs are shared (group commit): one put at a time would make a slow disk's
            // fsync latency the test's runtime.
            try (AsyncBeanstalkClient bulk = AsyncBeanstalkClient.connect(config)) {
                bulk.use(TUBE).join();
                List<CompletableFuture<Long>> puts = new ArrayList<>();
                for (int i = 0; i < INITIAL_JOBS; i++) {
                    String body = "initial-" + i;
                    puts.add(bulk.put(0, Duration.ZERO, Duration.ofSeconds(60), body.getBytes(UTF_8)));
                    bodies.add(body);
                }
                CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            }
            long produced = System.nanoTime();

            worker = Worker.builder(config)
                    .handle(TUBE, job -> {
                        if (handled.merge(job.bodyAsString(), 1, Integer::sum) == 1) {
                            distinct.incrementAndGet();
                        }
                    })
                    .concurrency(CONCURRENCY)
                    .listener(new WorkerListener() {
                        @Override
                        public void onError(Throwable error) {
                            errors.add(error);
                        }
                    })
                    .start();

            for (int kill = 1; kill <= KILLS; kill++) {
                // Kill at evenly spaced points of the whole run, so each lands while jobs are still pending.
                int at = kill * (INITIAL_JOBS + KILLS * JOBS_PER_RESTART) / (KILLS + 1);
                await(at + " jobs handled before kill " + kill, () -> distinct.get() >= at);
                broker.kill();
                int pending = bodies.size() - distinct.get();
                assertTrue(pending > 0, "kill " + kill + " came after the run ended");
                Thread.sleep(300); // an outage: the worker's connections fail and retry meanwhile
                broker = BrokerProcess.restart(dataDir, port, Duration.ofSeconds(20));
                // The blocking producer's connection died with the broker: it reconnects by itself on this call,
                // re-applying its used tube.
                putJobs(producer, "after-restart-" + kill, JOBS_PER_RESTART, bodies);
            }

            await("every job handled", () -> distinct.get() == bodies.size());
            await("the broker empty", () -> jobs(producer.stats()) == 0);
            long done = System.nanoTime();
            worker.close();
            worker = null;

            for (String b : bodies) {
                assertTrue(handled.containsKey(b), "job " + b + " lost");
            }
            assertEquals(bodies.size(), handled.size(), "a handler ran for a body never put");
            ServerStats s = producer.stats();
            assertEquals(0, s.currentJobsReady(), "ready");
            assertEquals(0, s.currentJobsReserved(), "reserved");
            assertEquals(0, s.currentJobsDelayed(), "delayed");
            assertEquals(0, s.currentJobsBuried(), "buried");
            int extra = handled.values().stream().mapToInt(n -> n - 1).sum();
            assertTrue(extra <= CONCURRENCY * KILLS, extra + " repeated handlings, more than one per connection"
                    + " per kill: " + repeated());
            long lost = errors.stream().filter(e -> e instanceof ConnectionLostException).count();
            assertTrue(lost >= 1, "the worker should have seen its connections lost: " + errors);
            System.out.printf("WorkerBrokerKillTest: %d jobs, %d kills, %d repeated handlings %s, %d worker errors"
                            + " (%d connection lost); produce %d ms, run %d ms, total %d ms%n",
                    bodies.size(), KILLS, extra, repeated(), errors.size(), lost,
                    TimeUnit.NANOSECONDS.toMillis(produced - t0), TimeUnit.NANOSECONDS.toMillis(done - produced),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        } finally {
            if (worker != null) {
                worker.shutdown(); // do not wait: the broker may be dead
            }
            broker.close();
        }
    }

    private static void putJobs(BeanstalkClient producer, String prefix, int n, List<String> bodies) {
        for (int i = 0; i < n; i++) {
            String body = prefix + "-" + i;
            producer.put(0, Duration.ZERO, Duration.ofSeconds(60), body.getBytes(UTF_8));
            bodies.add(body);
        }
    }

    private static long jobs(ServerStats s) {
        return s.currentJobsReady() + s.currentJobsReserved() + s.currentJobsDelayed() + s.currentJobsBuried();
    }

    private Map<String, Integer> repeated() {
        Map<String, Integer> out = new TreeMap<>();
        handled.forEach((b, n) -> {
            if (n > 1) {
                out.put(b, n);
            }
        });
        return out;
    }

    /** Polls {@code condition}; generous limit, as a loaded 2-core machine may be slow to restart a JVM. */
    private void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what + " (" + distinct.get()
                    + " distinct jobs handled; worker errors: " + errors + ")");
            Thread.sleep(5);
        }
    }
}
