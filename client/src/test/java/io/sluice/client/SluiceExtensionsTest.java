package io.sluice.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

/** Every Sluice extension of the blocking client, over TCP against an in-process Sluice broker. */
class SluiceExtensionsTest extends BrokerTestBase {
    private static final Duration TTR = Duration.ofSeconds(60);

    @Override
    TestServer startServer() throws Exception {
        return TestServer.sluice();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }

    private static long msSince(long t0) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    private String key(String k) {
        return tube + "/" + k; // keys are broker-wide
    }

    // ---- put-ex and lookups by key

    @Test
    void putWithAKeyIsIdempotentAndTheKeyFindsTheJob() {
        BeanstalkClient c = connectOnTube();
        PutOptions once = PutOptions.builder().key(key("order-42")).ttl(Duration.ofMinutes(10)).build();
        PutResult first = c.put(3, Duration.ZERO, TTR, bytes("v1"), once);
        assertTrue(first.created());
        PutResult again = c.put(3, Duration.ZERO, TTR, bytes("v2"), once);
        assertEquals(new PutResult(first.id(), false), again);
        assertEquals(1, c.statsTube(tube).totalJobs(), "nothing created by the second put");

        assertEquals(new Job(first.id(), bytes("v1")), c.peekKey(key("order-42")).orElseThrow());
        JobState s = c.jobStateByKey(key("order-42")).orElseThrow();
        assertEquals(first.id(), s.id());
        assertEquals(key("order-42"), s.key());
        assertEquals(tube, s.tube());
        assertEquals(JobState.State.READY, s.state());
        assertEquals(3, s.pri());
        Duration left = s.ttlLeft().orElseThrow();
        assertTrue(left.compareTo(Duration.ofMinutes(10)) <= 0 && left.compareTo(Duration.ofMinutes(9)) > 0, "" + left);
        assertFalse(s.cancelRequested());
        assertEquals(Optional.empty(), s.finishedAt());
        JobState byId = c.jobState(first.id()).orElseThrow();
        assertEquals(List.of(s.id(), s.key(), s.state()), List.of(byId.id(), byId.key(), byId.state()));

        c.deleteKey(key("order-42"));
        assertEquals(Optional.empty(), c.peekKey(key("order-42")));
        JobState gone = c.jobStateByKey(key("order-42")).orElseThrow();
        assertEquals(JobState.State.DELETED, gone.state());
        assertTrue(gone.finishedAt().orElseThrow().isAfter(Instant.now().minusSeconds(60)));
        assertEquals(new PutResult(first.id(), false), c.put(3, Duration.ZERO, TTR, bytes("v3"), once),
                "a retained finished job keeps its key");
        assertThrows(NotFoundException.class, () -> c.deleteKey(key("order-42")));
        assertEquals(Optional.empty(), c.jobStateByKey(key("never")));
        assertEquals(Optional.empty(), c.jobState(first.id() + 1_000_000));
    }

    @Test
    void aPutRetriedAfterItsReplyWasLostAnswersExists() throws Exception {
        try (ReplyCutter proxy = new ReplyCutter(server.port())) {
            BeanstalkClient c = track(BeanstalkClient.connect(ClientConfig.builder().port(proxy.port())
                    .readTimeout(Duration.ofSeconds(10)).build()));
            c.use(tube);
            PutOptions once = PutOptions.builder().key(key("lost")).build();
            proxy.cutNextReply();
            assertThrows(ConnectionLostException.class, () -> c.put(0, Duration.ZERO, TTR, bytes("x"), once));
            PutResult retry = c.put(0, Duration.ZERO, TTR, bytes("x"), once); // reconnects, same put
            assertTrue(retry.existed(), "the first put did reach the broker");
            BeanstalkClient observer = connect();
            assertEquals(retry.id(), observer.peekKey(key("lost")).orElseThrow().id());
            assertEquals(1, observer.statsTube(tube).totalJobs(), "one job, not two");
        }
    }

    @Test
    void putExDelaysToTheMillisecond() throws Exception {
        BeanstalkClient c = connectOnTube();
        long t0 = System.nanoTime();
        long id = c.put(0, Duration.ofMillis(300), TTR, bytes("d"), PutOptions.none()).id();
        assertEquals(JobState.State.DELAYED, c.jobState(id).orElseThrow().state());
        assertEquals(id, c.reserveEx(Duration.ofSeconds(2)).orElseThrow().id());
        long ms = msSince(t0);
        assertTrue(ms >= 250 && ms < 900, "ready after " + ms + " ms");
    }

    @Test
    void aJobPastItsTtlExpiresOrIsBuried() throws Exception {
        BeanstalkClient c = connectOnTube();
        long deleted = c.put(0, Duration.ZERO, TTR, bytes("a"),
                PutOptions.builder().ttl(Duration.ofMillis(200)).build()).id();
        long buried = c.put(0, Duration.ZERO, TTR, bytes("b"), PutOptions.builder().ttl(Duration.ofMillis(200))
                .onExpire(PutOptions.OnExpire.BURY).build()).id();
        WorkerContract.await("expiry", Duration.ofSeconds(5),
                () -> c.jobState(deleted).orElseThrow().state() == JobState.State.EXPIRED);
        assertEquals(Optional.empty(), c.peek(deleted));
        WorkerContract.await("expiry", Duration.ofSeconds(5),
                () -> c.jobState(buried).orElseThrow().state() == JobState.State.BURIED);
    }

    // ---- reserve limits

    @Test
    void reserveLimitsBuryInsteadOfRequeueing() {
        BeanstalkClient c = connectOnTube();
        long own = c.put(0, Duration.ZERO, TTR, bytes("once"), PutOptions.builder().maxReserves(1).build()).id();
        assertEquals(own, c.reserve().id());
        assertEquals(own, assertThrows(BuriedException.class, () -> c.release(own, 0, Duration.ZERO)).id());
        assertEquals(JobState.State.BURIED, c.jobState(own).orElseThrow().state());

        long autoBuriedBefore = c.statsExt().totalAutoBuried();
        c.setTubeMaxReserves(tube, 2);
        assertEquals(2, c.tubeMaxReserves(tube));
        assertEquals(0, c.tubeMaxReserves("never-used-" + tube));
        long id = c.put(bytes("twice"));
        c.reserve();
        c.releaseEx(id, 0, Duration.ZERO);
        c.reserve();
        assertThrows(BuriedException.class, () -> c.releaseEx(id, 0, Duration.ZERO));
        assertEquals(JobState.State.BURIED, c.jobState(id).orElseThrow().state());
        assertEquals(2, c.jobState(id).orElseThrow().reserves());
        assertEquals(autoBuriedBefore + 1, c.statsExt().totalAutoBuried());
        c.setTubeMaxReserves(tube, 0);
        assertEquals(0, c.tubeMaxReserves(tube));
        assertEquals(2, c.kick(10));
        assertEquals(own, c.reserve().id());
        assertThrows(BuriedException.class, () -> c.release(own, 0, Duration.ZERO), "its own limit still holds");
        assertEquals(id, c.reserve().id());
        c.release(id, 0, Duration.ZERO); // the tube's limit is gone
        assertEquals(JobState.State.READY, c.jobState(id).orElseThrow().state());
    }

    // ---- cancellation

    @Test
    void cancelRemovesAWaitingJobAtOnce() {
        BeanstalkClient c = connectOnTube();
        long ready = c.put(bytes("r"));
        long delayed = c.put(0, Duration.ofMinutes(5), TTR, bytes("d"));
        long keyed = c.put(0, Duration.ZERO, TTR, bytes("k"), PutOptions.builder().key(key("k")).build()).id();
        long cancelledBefore = c.statsExt().totalCancelled();
        assertEquals(Cancellation.CANCELLED, c.cancel(ready));
        assertEquals(Cancellation.CANCELLED, c.cancel(delayed));
        assertEquals(Cancellation.CANCELLED, c.cancelByKey(key("k")));
        for (long id : new long[] {ready, delayed, keyed}) {
            assertEquals(JobState.State.CANCELLED, c.jobState(id).orElseThrow().state());
            assertEquals(Optional.empty(), c.peek(id));
        }
        assertThrows(NotFoundException.class, () -> c.cancel(ready));
        assertThrows(NotFoundException.class, () -> c.cancelByKey(key("k")));
        assertThrows(NotFoundException.class, () -> c.cancel(ready + 1_000_000));
        assertEquals(cancelledBefore + 3, c.statsExt().totalCancelled());
    }

    @Test
    void aReservedJobCancelledElsewhereEndsAtItsWorkersNextTouchReleaseOrBury() {
        BeanstalkClient worker = connectOnTube();
        BeanstalkClient other = connect();
        List<String> seen = new ArrayList<>();
        for (String how : List.of("touch", "release", "releaseEx", "bury")) {
            long id = worker.put(bytes(how));
            assertEquals(id, worker.reserve().id());
            assertEquals(Cancellation.CANCELLING, other.cancel(id));
            assertEquals(Cancellation.CANCELLING, other.cancel(id), "again: still CANCELLING");
            JobState marked = other.jobState(id).orElseThrow();
            assertEquals(JobState.State.RESERVED, marked.state());
            assertTrue(marked.cancelRequested());
            CancelledException e = assertThrows(CancelledException.class, () -> {
                switch (how) {
                    case "touch" -> worker.touch(id);
                    case "release" -> worker.release(id, 0, Duration.ZERO);
                    case "releaseEx" -> worker.releaseEx(id, 0, Duration.ofMillis(10));
                    default -> worker.bury(id, 0);
                }
            });
            assertEquals(id, e.id());
            assertEquals(JobState.State.CANCELLED, other.jobState(id).orElseThrow().state());
            seen.add(how);
        }
        assertEquals(4, seen.size());
        long done = worker.put(bytes("done"));
        worker.reserve();
        assertEquals(Cancellation.CANCELLING, other.cancel(done));
        worker.delete(done); // the work was done before the worker learned
        assertEquals(JobState.State.COMPLETED, other.jobState(done).orElseThrow().state());
        assertEquals(Optional.empty(), worker.reserve(Duration.ZERO), "no cancelled job came back");
    }

    // ---- listing and clearing

    @Test
    void listJobsPagesThroughATubeInIdOrder() {
        BeanstalkClient c = connectOnTube();
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(c.put(i, Duration.ZERO, TTR, bytes("job " + i), i == 2
                    ? PutOptions.builder().key(key("two")).build() : PutOptions.none()).id());
        }
        List<Long> listed = new ArrayList<>();
        List<Integer> pageSizes = new ArrayList<>();
        long after = 0;
        do {
            JobPage page = c.listJobs(tube, JobState.State.READY, 2, after);
            page.jobs().forEach(j -> listed.add(j.id()));
            pageSizes.add(page.jobs().size());
            after = page.next();
        } while (after != 0);
        assertEquals(ids, listed);
        assertEquals(List.of(2, 2, 1), pageSizes);
        JobSummary two = c.listJobs(tube, JobState.State.READY, 1, ids.get(1)).jobs().get(0);
        assertEquals(new JobSummary(ids.get(2), 2, two.age(), 5, 0, key("two")), two);
        assertEquals(ids.get(2), c.listJobs(tube, JobState.State.READY, 1, ids.get(1)).next());

        long delayed = c.put(0, Duration.ofMinutes(5), TTR, bytes("d"));
        Job reserved = c.reserve();
        long buried = c.reserve().id();
        c.bury(buried, 0);
        assertEquals(List.of(delayed), idsOf(c.listJobs(tube, JobState.State.DELAYED, 10, 0)));
        assertEquals(List.of(reserved.id()), idsOf(c.listJobs(tube, JobState.State.RESERVED, 10, 0)));
        assertEquals(List.of(buried), idsOf(c.listJobs(tube, JobState.State.BURIED, 10, 0)));
        JobPage none = c.listJobs("no-such-tube-" + tube, JobState.State.READY, 10, 0);
        assertTrue(none.jobs().isEmpty() && none.isLast());
    }

    private static List<Long> idsOf(JobPage page) {
        return page.jobs().stream().map(JobSummary::id).toList();
    }

    @Test
    void clearTubeDeletesAllButReservedJobs() {
        BeanstalkClient c = connectOnTube();
        c.put(bytes("r"));
        c.put(bytes("r2"));
        c.put(0, Duration.ofMinutes(5), TTR, bytes("d"));
        Job reserved = c.reserve();
        long buried = c.reserve().id();
        c.bury(buried, 0);
        long ready = c.put(bytes("r3"));
        long deletedBefore = c.statsExt().totalDeleted();
        assertEquals(3, c.clearTube(tube), "ready, delayed and buried");
        TubeStats s = c.statsTube(tube);
        assertEquals(0, s.currentJobsReady() + s.currentJobsDelayed() + s.currentJobsBuried());
        assertEquals(1, s.currentJobsReserved());
        assertEquals(JobState.State.DELETED, c.jobState(buried).orElseThrow().state());
        assertEquals(JobState.State.RESERVED, c.jobState(reserved.id()).orElseThrow().state());
        assertEquals(deletedBefore + 3, c.statsExt().totalDeleted());
        assertEquals(JobState.State.DELETED, c.jobState(ready).orElseThrow().state());
        assertEquals(0, c.clearTube("no-such-tube-" + tube));
    }

    // ---- sub-second release and reserve

    @Test
    void reserveExTimesOutInAHundredMilliseconds() {
        BeanstalkClient c = connectOnTube();
        long t0 = System.nanoTime();
        assertEquals(Optional.empty(), c.reserveEx(Duration.ofMillis(100)));
        long ms = msSince(t0);
        assertTrue(ms >= 90 && ms < 700, "waited " + ms + " ms");
        long id = c.put(bytes("x"));
        assertEquals(id, c.reserveEx(Duration.ofMillis(100)).orElseThrow().id());
    }

    @Test
    void releaseExDelaysTwoHundredMilliseconds() {
        BeanstalkClient c = connectOnTube();
        long id = c.put(7, Duration.ZERO, TTR, bytes("x"));
        c.reserve();
        long t0 = System.nanoTime();
        c.releaseEx(id, 9, Duration.ofMillis(200));
        JobState s = c.jobState(id).orElseThrow();
        assertEquals(JobState.State.DELAYED, s.state());
        assertEquals(9, s.pri());
        assertEquals(id, c.reserveEx(Duration.ofSeconds(2)).orElseThrow().id());
        long ms = msSince(t0);
        assertTrue(ms >= 150 && ms < 800, "ready again after " + ms + " ms");
        assertThrows(NotFoundException.class, () -> connect().releaseEx(id, 0, Duration.ZERO));
    }

    // ---- schedules

    @Test
    void anEveryScheduleFiresUntilRemoved() throws Exception {
        BeanstalkClient c = connectOnTube();
        long firedBefore = c.statsExt().totalFired();
        long t0 = System.nanoTime();
        c.scheduleAdd("tick", 5, Duration.ofSeconds(30), bytes("tick!"), "@every 200ms");
        Schedule s = mine(c.scheduleList(), "tick");
        assertEquals(new Schedule(tube, "tick", "@every 200ms", "UTC", 5, Duration.ofSeconds(30), 5, s.nextAt(),
                s.fired()), s);
        assertTrue(s.nextAt().orElseThrow().isBefore(Instant.now().plusSeconds(1)), "" + s.nextAt());
        Job first = c.reserveEx(Duration.ofSeconds(3)).orElseThrow();
        long ms = msSince(t0);
        assertEquals("tick!", first.bodyAsString());
        assertTrue(ms >= 150, "first firing after " + ms + " ms");
        c.delete(first.id());
        Job second = c.reserveEx(Duration.ofSeconds(3)).orElseThrow();
        c.delete(second.id());
        assertTrue(mine(c.scheduleList(), "tick").fired() >= 2);
        assertTrue(c.statsExt().totalFired() >= firedBefore + 2);

        c.scheduleRemove("tick");
        assertTrue(c.scheduleList().stream().noneMatch(x -> x.tube().equals(tube)));
        assertThrows(NotFoundException.class, () -> c.scheduleRemove("tick"));
        Thread.sleep(300); // a firing already due may have landed; none after that
        c.clearTube(tube);
        assertEquals(Optional.empty(), c.reserveEx(Duration.ofMillis(600)), "no firing after the remove");
    }

    @Test
    void aCronScheduleInAZone() {
        BeanstalkClient c = connectOnTube();
        long before = c.statsExt().currentSchedules();
        c.scheduleAdd("nightly", 0, Duration.ofMinutes(1), bytes("report"), "0 3 * * *", ZoneId.of("Europe/Paris"));
        Schedule s = mine(c.scheduleList(), "nightly");
        assertEquals("Europe/Paris", s.zone());
        assertEquals(Duration.ofMinutes(1), s.ttr());
        Instant next = s.nextAt().orElseThrow();
        assertTrue(next.isAfter(Instant.now()) && next.isBefore(Instant.now().plus(Duration.ofHours(25))), "" + next);
        assertEquals(3, next.atZone(ZoneId.of("Europe/Paris")).getHour());
        assertEquals(before + 1, c.statsExt().currentSchedules());
        c.scheduleAdd("nightly", 1, Duration.ofMinutes(2), bytes("r2"), "@daily"); // replaces it
        assertEquals("UTC", mine(c.scheduleList(), "nightly").zone());
        assertEquals(before + 1, c.statsExt().currentSchedules());
        assertThrows(BadFormatException.class, () -> c.scheduleAdd("bad", 0, TTR, bytes("x"), "61 * * * *"));
        assertEquals(tube, c.listTubeUsed(), "a refused schedule-add left the connection in step");
        c.scheduleRemove("nightly");
    }

    private Schedule mine(List<Schedule> all, String name) {
        return all.stream().filter(s -> s.tube().equals(tube) && s.name().equals(name)).findFirst().orElseThrow();
    }

    // ---- stats-ext

    @Test
    void statsExtCountsTheExtensions() {
        BeanstalkClient c = connectOnTube();
        ExtStats before = c.statsExt();
        long a = c.put(0, Duration.ZERO, TTR, bytes("a"), PutOptions.builder().key(key("a")).build()).id();
        assertEquals(before.currentJobsKeyed() + 1, c.statsExt().currentJobsKeyed());
        c.reserve();
        c.delete(a);
        ExtStats after = c.statsExt();
        assertEquals(before.currentJobsKeyed(), after.currentJobsKeyed());
        assertEquals(before.totalCompleted() + 1, after.totalCompleted());
        assertEquals(before.currentFinishedRetained() + 1, after.currentFinishedRetained());
        assertEquals(Duration.ofHours(1), after.retention());
        assertEquals(100_000, after.retentionMax());
        assertEquals(11, after.raw().size());
    }

    /**
     * A TCP proxy to the broker that, once armed, swallows the next reply and cuts the connection: the command
     * reached the broker, its reply never reached the client.
     */
    static final class ReplyCutter implements AutoCloseable {
        private final ServerSocket listener;
        private final int target;
        private final AtomicBoolean armed = new AtomicBoolean();
        private final List<Socket> sockets = new java.util.concurrent.CopyOnWriteArrayList<>();

        ReplyCutter(int target) throws IOException {
            this.target = target;
            this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread t = new Thread(this::accept, "reply-cutter");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return listener.getLocalPort();
        }

        void cutNextReply() {
            armed.set(true);
        }

        private void accept() {
            while (!listener.isClosed()) {
                try {
                    Socket client = listener.accept();
                    Socket broker = new Socket(InetAddress.getLoopbackAddress(), target);
                    sockets.add(client);
                    sockets.add(broker);
                    pump(client, broker, false);
                    pump(broker, client, true);
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void pump(Socket from, Socket to, boolean replies) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[8192];
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        if (replies && armed.compareAndSet(true, false)) {
                            break; // the reply dies here, with the connection
                        }
                        out.write(buf, 0, n);
                        out.flush();
                    }
                } catch (IOException ignored) {
                    // the other side went
                } finally {
                    close(from);
                    close(to);
                }
            }, "reply-cutter-pump");
            t.setDaemon(true);
            t.start();
        }

        private static void close(Socket s) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }

        @Override
        public void close() throws IOException {
            listener.close();
            sockets.forEach(ReplyCutter::close);
        }
    }
}
