package io.sluice.broker.it;

import io.sluice.broker.Broker;
import io.sluice.broker.config.BrokerConfig;
import io.sluice.broker.log.SegmentFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The durable log through the broker: restart keeps state, ids never repeat, compaction bounds disk use. */
class DurabilityIntegrationTest {
    @TempDir
    Path dir;

    private BrokerConfig durable(long segmentSize) {
        return BrokerConfig.defaults().withPort(0).withDataDir(dir.toString(), 0, segmentSize);
    }

    @Test
    void stateSurvivesARestart() throws Exception {
        try (TestBroker b = TestBroker.start(durable(1 << 20)); Wire w = b.connect()) {
            w.call("put 5 0 60 5\r\nhello\r\n", "INSERTED 1\r\n");
            w.call("use other\r\n", "USING other\r\n");
            w.call("put 1 3600 30 3\r\nabc\r\n", "INSERTED 2\r\n");
            w.call("put 2 0 60 3\r\nxyz\r\n", "INSERTED 3\r\n");
            w.call("watch other\r\n", "WATCHING 2\r\n");
            w.call("reserve\r\n", "RESERVED 3 3\r\nxyz\r\n");
            w.call("bury 3 7\r\n", "BURIED\r\n");
            w.call("put 9 0 60 3\r\ndel\r\n", "INSERTED 4\r\n");
            w.call("delete 4\r\n", "DELETED\r\n");
            w.call("reserve\r\n", "RESERVED 1 5\r\nhello\r\n"); // reserved at the restart: comes back ready
            w.call("put 0 0 60 1\r\nr\r\n", "INSERTED 5\r\n");
            w.call("reserve\r\n", "RESERVED 5 1\r\nr\r\n");
            w.call("release 5 42 0\r\n", "RELEASED\r\n"); // a priority change beanstalkd would lose
        }
        try (TestBroker b = TestBroker.start(durable(1 << 20)); Wire w = b.connect()) {
            assertEquals("ready", w.stat("stats-job 1\r\n", "state"));
            assertEquals("delayed", w.stat("stats-job 2\r\n", "state"));
            assertEquals("other", w.stat("stats-job 2\r\n", "tube"));
            long left = Long.parseLong(w.stat("stats-job 2\r\n", "time-left"));
            assertTrue(left > 3500 && left <= 3600, "time-left " + left);
            assertEquals("30", w.stat("stats-job 2\r\n", "ttr"));
            assertEquals("buried", w.stat("stats-job 3\r\n", "state"));
            assertEquals("7", w.stat("stats-job 3\r\n", "pri"));
            assertEquals("1", w.stat("stats-job 3\r\n", "buries"));
            w.call("peek 4\r\n", "NOT_FOUND\r\n");
            assertEquals("42", w.stat("stats-job 5\r\n", "pri"));
            w.call("put 0 0 60 1\r\nn\r\n", "INSERTED 6\r\n"); // 4 was deleted, yet never reused
            w.call("peek 2\r\n", "FOUND 2 3\r\nabc\r\n");
            assertEquals("1", w.stat("stats-tube other\r\n", "current-jobs-buried"));
        }
    }

    @Test
    void statsLogShowsSegmentsWithLiveAndDeadBytes() throws Exception {
        try (TestBroker b = TestBroker.start(durable(4096)); Wire w = b.connect()) {
            for (int i = 1; i <= 40; i++) {
                w.call("put 0 0 60 100\r\n" + "z".repeat(100) + "\r\n", "INSERTED " + i + "\r\n");
            }
            String yaml = w.ok("stats-log\r\n");
            assertTrue(yaml.startsWith("---\ndurable: true\nfsync: always\nsegment-size: 4096\n"), yaml);
            long segments = Long.parseLong(w.stat("stats-log\r\n", "segments"));
            assertTrue(segments >= 2, yaml);
            assertEquals(segments, yaml.lines().filter(l -> l.startsWith("- {sequence: ")).count(), yaml);
            assertTrue(yaml.contains("live-jobs: ") && yaml.contains("disk-full: false"), yaml);
            assertEquals(w.stat("stats\r\n", "binlog-current-index"),
                    yaml.lines().reduce((a, l) -> l).orElseThrow().replaceAll("- \\{sequence: (\\d+),.*", "$1"));
        }
        try (TestBroker b = TestBroker.start(); Wire w = b.connect()) {
            w.call("stats-log\r\n", "OK 19\r\n---\ndurable: false\n\r\n");
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(longs = {0, 50, -1})
    void everyFsyncPolicyKeepsJobsAcrossACleanRestart(long fsync) throws Exception {
        BrokerConfig config = BrokerConfig.defaults().withPort(0).withDataDir(dir.toString(), fsync, 1 << 20);
        try (TestBroker b = TestBroker.start(config); Wire w = b.connect()) {
            for (int i = 1; i <= 100; i++) {
                w.call("put 0 0 60 3\r\nabc\r\n", "INSERTED " + i + "\r\n");
            }
            w.call("delete 50\r\n", "DELETED\r\n");
            String expected = fsync == 0 ? "always" : "deferred";
            assertEquals(expected, w.stat("stats-log\r\n", "fsync"));
        }
        try (TestBroker b = TestBroker.start(config); Wire w = b.connect()) {
            assertEquals("99", w.stat("stats\r\n", "current-jobs-ready"));
            w.call("peek 50\r\n", "NOT_FOUND\r\n");
        }
    }

    @Test
    void repliesHeldForTheLogStillPrecedeQuitAndHalfClose() throws Exception {
        try (TestBroker b = TestBroker.start(durable(1 << 20))) {
            for (int i = 0; i < 50; i++) {
                try (Wire w = b.connect()) {
                    w.send("put 0 0 60 1\r\na\r\nput 0 0 60 1\r\nb\r\nquit\r\n");
                    String first = w.line();
                    String second = w.line();
                    assertTrue(first.startsWith("INSERTED ") && second.startsWith("INSERTED "), first + second);
                    w.expectClosed();
                }
                try (Wire w = b.connect()) {
                    w.send("put 0 0 60 1\r\nc\r\n");
                    w.shutdownOutput();
                    assertTrue(w.line().startsWith("INSERTED "));
                    w.expectClosed();
                }
            }
        }
    }

    @Test
    void twoBrokersCannotShareADirectory() throws Exception {
        try (TestBroker b = TestBroker.start(durable(1 << 20))) {
            IOException e = assertThrows(IOException.class, () -> Broker.start(durable(1 << 20)));
            assertTrue(e.getMessage().contains("locked"), e.getMessage());
        }
    }

    @Test
    void aClientThatConnectsDuringRecoveryIsAnsweredWithEveryJobRecovered() throws Exception {
        int n = 100_000;
        try (TestBroker b = TestBroker.start(durable(8 << 20)); Wire w = b.connect()) {
            putAll(w, n, "abc");
        }
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        BrokerConfig config = BrokerConfig.defaults().withPort(port).withDataDir(dir.toString(), 0, 8 << 20);
        java.util.concurrent.CompletableFuture<Broker> starting =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        return Broker.start(config);
                    } catch (Exception e) {
                        throw new java.util.concurrent.CompletionException(e);
                    }
                });
        Wire w = null;
        boolean duringRecovery = false;
        try {
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
            while (w == null) {
                try {
                    w = new Wire(port);
                    duringRecovery = !starting.isDone();
                } catch (java.net.ConnectException notYet) {
                    assertTrue(System.nanoTime() < deadline && !starting.isCompletedExceptionally(), "never listened");
                    Thread.sleep(1);
                }
            }
            // like beanstalkd, the broker listens while it replays: the first reply already sees every job
            assertEquals(String.valueOf(n), w.stat("stats\r\n", "current-jobs-ready"));
            assertTrue(duringRecovery, "connected only after the start returned: the test proved nothing");
        } finally {
            if (w != null) {
                w.close();
            }
            starting.get(30, java.util.concurrent.TimeUnit.SECONDS).close();
        }
    }

    @Test
    void aPortInUseIsAListenFailureAndLeavesTheDirectoryFree() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getLoopbackAddress())) {
            BrokerConfig config = BrokerConfig.defaults().withPort(taken.getLocalPort())
                    .withDataDir(dir.toString(), 0, 1 << 20);
            assertThrows(Broker.ListenException.class, () -> Broker.start(config));
            assertEquals(java.util.List.of(), SegmentFiles.list(dir), "a broker that cannot listen writes nothing");
        }
        try (TestBroker b = TestBroker.start(durable(1 << 20)); Wire w = b.connect()) {
            w.call("put 0 0 60 1\r\nx\r\n", "INSERTED 1\r\n");
        }
    }

    /** With a log to replay, the failure to listen may stop the replay midway: the log must stay whole. */
    @Test
    void aPortInUseDuringTheReplayOfALogLeavesTheLogWhole() throws Exception {
        int n = 20_000;
        try (TestBroker b = TestBroker.start(durable(64 << 10)); Wire w = b.connect()) {
            putAll(w, n, "x".repeat(100));
        }
        java.util.List<Long> before = SegmentFiles.list(dir);
        assertTrue(before.size() > 10, "several segments to replay: " + before);
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getLoopbackAddress())) {
            BrokerConfig config = BrokerConfig.defaults().withPort(taken.getLocalPort())
                    .withDataDir(dir.toString(), 0, 64 << 10);
            assertThrows(Broker.ListenException.class, () -> Broker.start(config));
        }
        assertEquals(before, SegmentFiles.list(dir), "no segment added or removed");
        try (TestBroker b = TestBroker.start(durable(64 << 10)); Wire w = b.connect()) {
            assertEquals(String.valueOf(n), w.stat("stats\r\n", "current-jobs-ready"));
        }
    }

    /** Puts n jobs with this body in one pipelined write into a fresh broker: ids 1 to n. */
    private static void putAll(Wire w, int n, String body) throws IOException {
        StringBuilder puts = new StringBuilder();
        for (int i = 0; i < n; i++) {
            puts.append("put 0 0 60 ").append(body.length()).append("\r\n").append(body).append("\r\n");
        }
        w.send(puts.toString());
        for (int i = 1; i <= n; i++) {
            assertEquals("INSERTED " + i, w.line());
        }
    }

    private long diskUse() throws IOException {
        long total = 0;
        for (long seq : SegmentFiles.list(dir)) {
            try {
                total += Files.size(dir.resolve(String.format("%020d.log", seq)));
            } catch (java.nio.file.NoSuchFileException compactedMeanwhile) {
                // deleted by the log thread between the listing and the size
            }
        }
        return total;
    }

    @Test
    void diskUseStaysBoundedWithAJobThatLivesForever() throws Exception {
        diskUseStaysBounded(0); // finished jobs not retained
    }

    /** Retained finished jobs are live data too; their number is capped, so the bound holds with them. */
    @Test
    void diskUseStaysBoundedWhileFinishedJobsAreRetained() throws Exception {
        diskUseStaysBounded(500);
    }

    private void diskUseStaysBounded(int retentionMax) throws Exception {
        long segment = 64 * 1024;
        try (TestBroker b = TestBroker.start(durable(segment).withRetention(3_600_000, retentionMax));
             Wire w = b.connect()) {
            w.call("put 0 0 60 10\r\nforever...\r\n", "INSERTED 1\r\n");
            w.call("bury 1 0\r\n", "NOT_FOUND\r\n");
            w.call("reserve\r\n", "RESERVED 1 10\r\nforever...\r\n");
            w.call("bury 1 0\r\n", "BURIED\r\n");
            String body = "x".repeat(1000);
            long max = 0;
            for (int i = 0; i < 3000; i++) { // ~3 MB through the log, 1 job live
                w.send("put 0 0 60 1000\r\n" + body + "\r\n");
                String id = w.line().substring(9);
                w.call("delete " + id + "\r\n", "DELETED\r\n");
                max = Math.max(max, diskUse());
            }
            assertTrue(max < 4 * segment, "disk use reached " + max + " bytes");
            assertTrue(Long.parseLong(w.stat("stats\r\n", "binlog-records-migrated")) > 0);
        }
        try (TestBroker b = TestBroker.start(durable(segment)); Wire w = b.connect()) {
            w.call("peek-buried\r\n", "FOUND 1 10\r\nforever...\r\n");
            assertEquals("1", w.stat("stats\r\n", "current-jobs-buried"));
            assertEquals("0", w.stat("stats\r\n", "current-jobs-ready"));
        }
    }

    @Test
    void diskUseStaysBoundedInAReleaseWithDelayLoop() throws Exception {
        long segment = 64 * 1024;
        try (TestBroker b = TestBroker.start(durable(segment)); Wire w = b.connect()) {
            for (int i = 1; i <= 20; i++) {
                w.call("put 0 0 60 100\r\n" + "j".repeat(100) + "\r\n", "INSERTED " + i + "\r\n");
            }
            long max = 0;
            for (int i = 0; i < 5000; i++) {
                w.send("reserve\r\n");
                String head = w.line();
                String id = head.split(" ")[1];
                w.read(102);
                w.call("release " + id + " 0 1\r\n", "RELEASED\r\n");
                w.call("kick-job " + id + "\r\n", "KICKED\r\n");
                max = Math.max(max, diskUse());
            }
            assertTrue(max < 4 * segment, "disk use reached " + max + " bytes");
        }
        try (TestBroker b = TestBroker.start(durable(segment)); Wire w = b.connect()) {
            assertEquals("20", w.stat("stats\r\n", "current-jobs-ready"));
        }
    }

    @Test
    void segmentsRollAndAllSurvive() throws Exception {
        try (TestBroker b = TestBroker.start(durable(8192)); Wire w = b.connect()) {
            for (int i = 1; i <= 200; i++) {
                w.call("put " + i + " 0 60 200\r\n" + String.format("%0200d", i) + "\r\n", "INSERTED " + i + "\r\n");
            }
            assertTrue(SegmentFiles.list(dir).size() > 3);
        }
        try (TestBroker b = TestBroker.start(durable(8192)); Wire w = b.connect()) {
            for (int i = 1; i <= 200; i++) {
                w.call("reserve\r\n", "RESERVED " + i + " 200\r\n" + String.format("%0200d", i) + "\r\n");
            }
        }
        try (Stream<Path> s = Files.list(dir)) {
            assertTrue(s.count() > 1);
        }
    }
}
