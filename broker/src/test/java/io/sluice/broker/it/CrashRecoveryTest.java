package io.sluice.broker.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * kill -9 in the middle of load, 20 times over the same data directory (fsync always, the default): every job
 * whose INSERTED reached a client exists exactly once afterwards unless a DELETED for it reached a client, and no
 * deleted job comes back.
 */
class CrashRecoveryTest {
    @TempDir
    Path dir;

    /** id → body of every acknowledged put not (yet) acknowledged as deleted. */
    private final Map<Long, String> live = new ConcurrentHashMap<>();
    /** ids whose delete was acknowledged. */
    private final Set<Long> deleted = ConcurrentHashMap.newKeySet();
    /** ids whose fate is unknown: a delete was sent but its reply was lost in the crash. */
    private final Set<Long> unknown = ConcurrentHashMap.newKeySet();

    private Process launch() throws IOException {
        return BrokerProcess.launch("-p", "0", "-b", dir.toString(), "-s", "65536");
    }

    private static int awaitPort(Process p) throws IOException {
        return BrokerProcess.awaitPort(p);
    }

    @Test
    void acknowledgedJobsSurviveKillDashNine() throws Exception {
        Random rnd = new Random(7);
        int[] seq = {0};
        for (int cycle = 0; cycle < 20; cycle++) {
            Process p = launch();
            try {
                int port = awaitPort(p);
                verify(port, cycle);
                AtomicBoolean stop = new AtomicBoolean();
                List<Thread> threads = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    String prefix = "c" + cycle + "p" + t + "-";
                    threads.add(new Thread(() -> produce(port, prefix, stop)));
                }
                for (int t = 0; t < 2; t++) {
                    threads.add(new Thread(() -> consume(port, stop)));
                }
                threads.forEach(Thread::start);
                Thread.sleep(150 + rnd.nextInt(500));
                p.destroyForcibly(); // SIGKILL
                assertTrue(p.waitFor(10, TimeUnit.SECONDS));
                stop.set(true);
                for (Thread t : threads) {
                    t.join(10_000);
                }
                seq[0]++;
            } finally {
                p.destroyForcibly();
            }
        }
        Process p = launch();
        try {
            int port = awaitPort(p);
            verify(port, 20);
            drainAndCheckUnique(port);
        } finally {
            p.destroyForcibly();
        }
        assertTrue(seq[0] == 20);
    }

    /**
     * Jobs at and next to the maximum size, and the jobs logged after them, survive {@code kill -9}: beanstalkd
     * 1.12's replay refuses a job within 2 bytes of {@code -z} and drops the rest of that binlog (PROTOCOL.md §8).
     */
    @Test
    void jobsOfTheMaximumSizeSurviveKillDashNine() throws Exception {
        int[] sizes = {38, 39, 40, 1};
        Process p = BrokerProcess.launch("-p", "0", "-b", dir.toString(), "-z", "40");
        try (Wire w = new Wire(BrokerProcess.awaitPort(p))) {
            for (int i = 0; i < sizes.length; i++) {
                w.send("put 0 0 60 " + sizes[i] + "\r\n" + "x".repeat(sizes[i]) + "\r\n").expect("INSERTED " + (i + 1) + "\r\n");
            }
        } finally {
            p.destroyForcibly();
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        }
        p = BrokerProcess.launch("-p", "0", "-b", dir.toString(), "-z", "40");
        try (Wire w = new Wire(BrokerProcess.awaitPort(p))) {
            for (int i = 0; i < sizes.length; i++) {
                w.send("peek " + (i + 1) + "\r\n").expect("FOUND " + (i + 1) + " " + sizes[i] + "\r\n"
                        + "x".repeat(sizes[i]) + "\r\n");
            }
        } finally {
            p.destroyForcibly();
        }
    }

    private void produce(int port, String prefix, AtomicBoolean stop) {
        try (Wire w = new Wire(port)) {
            for (int i = 0; !stop.get(); i++) {
                String body = prefix + i;
                w.send("put 0 0 60 " + body.length() + "\r\n" + body + "\r\n");
                String reply = w.line();
                if (!reply.startsWith("INSERTED ")) {
                    fail("put: " + reply);
                }
                live.put(Long.parseLong(reply.substring(9)), body);
            }
        } catch (IOException | AssertionError e) {
            // the broker was killed: whatever was acknowledged is recorded
        }
    }

    private void consume(int port, AtomicBoolean stop) {
        try (Wire w = new Wire(port)) {
            while (!stop.get()) {
                w.send("reserve-with-timeout 1\r\n");
                String head = w.line();
                if (!head.startsWith("RESERVED ")) {
                    continue;
                }
                String[] f = head.split(" ");
                long id = Long.parseLong(f[1]);
                w.read(Integer.parseInt(f[2]) + 2);
                unknown.add(id);
                w.send("delete " + id + "\r\n");
                String r = w.line();
                if (r.equals("DELETED")) {
                    live.remove(id);
                    deleted.add(id);
                    unknown.remove(id);
                }
            }
        } catch (IOException | AssertionError e) {
            // killed
        }
    }

    private void verify(int port, int cycle) throws IOException {
        try (Wire w = new Wire(port)) {
            for (Map.Entry<Long, String> e : live.entrySet()) {
                long id = e.getKey();
                if (unknown.contains(id)) {
                    continue;
                }
                String b = e.getValue();
                w.send("peek " + id + "\r\n");
                String head = w.line();
                assertEquals("FOUND " + id + " " + b.length(), head, "cycle " + cycle + ": acknowledged job " + id
                        + " (" + b + ") lost");
                assertEquals(b + "\r\n", new String(w.read(b.length() + 2), StandardCharsets.ISO_8859_1));
            }
            for (long id : deleted) {
                w.call("peek " + id + "\r\n", "NOT_FOUND\r\n");
            }
        }
    }

    private void drainAndCheckUnique(int port) throws IOException {
        Set<String> bodies = new HashSet<>();
        try (Wire w = new Wire(port)) {
            for (;;) {
                w.send("reserve-with-timeout 0\r\n");
                String head = w.line();
                if (head.equals("TIMED_OUT")) {
                    break;
                }
                String[] f = head.split(" ");
                String body = new String(w.read(Integer.parseInt(f[2]) + 2), StandardCharsets.ISO_8859_1);
                assertTrue(bodies.add(body), "job body " + body.trim() + " exists twice");
                w.call("delete " + f[1] + "\r\n", "DELETED\r\n");
            }
        }
        for (String b : live.values()) {
            assertTrue(bodies.contains(b + "\r\n") || unknownBody(b), "lost " + b);
        }
    }

    private boolean unknownBody(String b) {
        for (long id : unknown) {
            if (b.equals(live.get(id))) {
                return true;
            }
        }
        return false;
    }
}
