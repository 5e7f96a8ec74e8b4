package io.sluice.broker.it;

import io.sluice.broker.Broker;
import io.sluice.broker.config.BrokerConfig;
import io.sluice.broker.log.FaultyDisk;
import io.sluice.broker.log.FileOpener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Disk full and failed fsync, through the log's file seam: refuse cleanly, lose nothing acknowledged. */
class DiskFaultIntegrationTest {
    @TempDir
    Path dir;

    private BrokerConfig config() {
        return BrokerConfig.defaults().withPort(0).withDataDir(dir.toString(), 0, 16 * 1024);
    }

    /**
     * Puts arriving faster than the log prepares its next segment (zero-filled ahead) wait for it: a busy disk is
     * not a full one, and refusing them OUT_OF_MEMORY (as before) failed puts in a burst on a healthy machine.
     */
    @Test
    void aBurstOutrunningSegmentPreparationWaitsInsteadOfRefusing() throws Exception {
        FileOpener slowToPrepare = (file, options) -> {
            if (java.util.Arrays.asList(options).contains(StandardOpenOption.CREATE_NEW)) {
                try {
                    Thread.sleep(150);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return FileChannel.open(file, options);
        };
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        String body = "b".repeat(1000);
        try (Broker b = Broker.start(config(), failure::complete, slowToPrepare); Wire w = new Wire(b.port())) {
            StringBuilder burst = new StringBuilder();
            for (int i = 0; i < 100; i++) {
                burst.append("put 0 0 60 1000\r\n").append(body).append("\r\n");
            }
            w.send(burst.toString()); // about 7 segments of 16 KB, each prepared in 150 ms or more
            for (int i = 1; i <= 100; i++) {
                assertEquals("INSERTED " + i, w.line());
            }
            assertTrue(!failure.isDone());
        }
        try (Broker b = Broker.start(config()); Wire w = new Wire(b.port())) {
            assertEquals("100", w.stat("stats\r\n", "current-jobs-ready"));
        }
    }

    @Test
    void aFullDiskRefusesPutsKeepsReadsAndDeletesAndRecovers() throws Exception {
        FaultyDisk disk = new FaultyDisk();
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        try (Broker b = Broker.start(config(), failure::complete, disk); Wire w = new Wire(b.port())) {
            disk.budget.set(0); // full: the next segment cannot be prepared
            String body = "b".repeat(1000);
            int inserted = 0;
            String reply;
            do {
                w.send("put 0 0 60 1000\r\n" + body + "\r\n");
                reply = w.line();
                if (reply.startsWith("INSERTED ")) {
                    inserted++;
                }
            } while (reply.startsWith("INSERTED ") && inserted < 1000);
            assertEquals("OUT_OF_MEMORY", reply);
            // the current 16 KB segment and the one prepared ahead hold about 30 such jobs
            assertTrue(inserted > 10 && inserted < 40, "inserted " + inserted);
            // fill the last bytes with tiny jobs, so that not even a state record fits
            int tiny = 0;
            do {
                w.send("put 0 0 60 1\r\nt\r\n");
                reply = w.line();
                tiny++;
            } while (reply.startsWith("INSERTED ") && tiny < 1000);
            assertEquals("OUT_OF_MEMORY", reply);
            inserted += tiny - 1;
            // reads keep working; deletes use the reserve
            w.call("peek 1\r\n", "FOUND 1 1000\r\n" + body + "\r\n");
            assertEquals(Integer.toString(inserted), w.stat("stats\r\n", "current-jobs-ready"));
            w.call("delete 1\r\n", "DELETED\r\n");
            w.call("reserve\r\n", "RESERVED 2 1000\r\n" + body + "\r\n");
            w.call("release 2 0 0\r\n", "OUT_OF_MEMORY\r\n"); // refused, and unchanged:
            assertEquals("reserved", w.stat("stats-job 2\r\n", "state"));
            w.call("bury 2 0\r\n", "INTERNAL_ERROR\r\n");
            w.call("delete 2\r\n", "DELETED\r\n");
            // space returns: within the writer's retry interval, puts work again
            disk.budget.set(Long.MAX_VALUE);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            do {
                Thread.sleep(100);
                w.send("put 0 0 60 1000\r\n" + body + "\r\n");
                reply = w.line();
            } while (!reply.startsWith("INSERTED ") && System.nanoTime() < deadline);
            assertTrue(reply.startsWith("INSERTED "), reply);
            assertTrue(!failure.isDone(), "a full disk is not fatal");
        }
        try (Broker b = Broker.start(config()); Wire w = new Wire(b.port())) {
            w.call("peek 1\r\n", "NOT_FOUND\r\n");
            w.call("peek 2\r\n", "NOT_FOUND\r\n");
            w.call("peek 3\r\n", "FOUND 3 1000\r\n" + "b".repeat(1000) + "\r\n");
        }
    }

    @Test
    void shortWritesAreCompletedAndADiskFillingMidPreparationIsHandled() throws Exception {
        FaultyDisk disk = new FaultyDisk();
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        String body = "s".repeat(500);
        try (Broker b = Broker.start(config(), failure::complete, disk); Wire w = new Wire(b.port())) {
            disk.maxPerWrite.set(7); // every write call takes at most 7 bytes
            for (int i = 1; i <= 60; i++) { // several 16 KB segments
                w.call("put 0 0 60 500\r\n" + body + "\r\n", "INSERTED " + i + "\r\n");
            }
            disk.budget.set(5000); // the next segment's preparation runs out of space a third of the way in
            String reply;
            int i = 60;
            do {
                w.send("put 0 0 60 500\r\n" + body + "\r\n");
                reply = w.line();
                i++;
            } while (reply.startsWith("INSERTED ") && i < 200);
            assertEquals("OUT_OF_MEMORY", reply);
            assertTrue(!failure.isDone(), "neither short writes nor a full disk are fatal");
        }
        try (Broker b = Broker.start(config()); Wire w = new Wire(b.port())) {
            for (int id = 1; id <= 60; id++) {
                w.call("peek " + id + "\r\n", "FOUND " + id + " 500\r\n" + body + "\r\n");
            }
        }
    }

    @Test
    void aFailedFsyncIsFatalAndNothingUnsyncedIsAcknowledged() throws Exception {
        FaultyDisk disk = new FaultyDisk();
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        try (Broker b = Broker.start(config(), failure::complete, disk); Wire w = new Wire(b.port())) {
            w.call("put 0 0 60 2\r\nok\r\n", "INSERTED 1\r\n");
            disk.failFsync.set(true);
            w.send("put 0 0 60 2\r\nno\r\n");
            Throwable t = failure.get(5, TimeUnit.SECONDS);
            assertTrue(t.getMessage().contains("fsync"), t.toString());
            w.expectSilence(300); // the put was never acknowledged
        }
    }
}
