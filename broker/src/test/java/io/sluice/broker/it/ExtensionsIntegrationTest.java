package io.sluice.broker.it;

import io.sluice.broker.config.BrokerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The extensions (PROTOCOL.md §7) over TCP, as a telnet user would type them, and across restarts of a durable
 * broker, where their state must persist: keys, finished jobs, TTLs, cancel marks, tube settings, schedules.
 */
class ExtensionsIntegrationTest {
    @TempDir
    Path dir;

    private BrokerConfig durable(long segmentSize) {
        return BrokerConfig.defaults().withPort(0).withDataDir(dir.toString(), 0, segmentSize);
    }

    private static long count(String yaml, String regex) {
        Matcher m = Pattern.compile(regex).matcher(yaml);
        long n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    @Test
    void everyExtensionAnswersAsDocumented() throws Exception {
        try (TestBroker b = TestBroker.start(); Wire w = b.connect(); Wire other = b.connect()) {
            w.call("put-ex 0 0 60 5 key=order-1 ttl=1h\r\nhello\r\n", "INSERTED 1\r\n");
            w.call("put-ex 0 0 60 5 key=order-1\r\nagain\r\n", "EXISTS 1\r\n");
            w.call("peek-key order-1\r\n", "FOUND 1 5\r\nhello\r\n");
            String st = w.ok("job-state-key order-1\r\n");
            assertTrue(st.contains("state: ready\n") && st.contains("key: 'order-1'\n"), st);
            w.call("reserve-ex 10ms\r\n", "RESERVED 1 5\r\nhello\r\n");
            other.call("cancel-key order-1\r\n", "CANCELLING\r\n");
            w.call("touch 1\r\n", "CANCELLED\r\n");
            w.call("delete 1\r\n", "NOT_FOUND\r\n");
            assertTrue(w.ok("job-state 1\r\n").contains("state: cancelled\n"));
            w.call("delete-key order-1\r\n", "NOT_FOUND\r\n");
            w.call("put-ex 0 0 60 5 key=order-1\r\nretry\r\n", "EXISTS 1\r\n");

            w.call("use q\r\n", "USING q\r\n");
            w.call("put-ex 0 100ms 60 1\r\na\r\n", "INSERTED 2\r\n");
            w.call("put 0 0 60 1\r\nb\r\n", "INSERTED 3\r\n");
            w.call("put-ex 0 0 60 1 key=k3\r\nc\r\n", "INSERTED 4\r\n");
            String ready = w.ok("list-jobs q ready 1\r\n");
            assertEquals("---\njobs:\n- {id: 3, pri: 0, age-ms: " + ready.split("age-ms: ")[1].split(",")[0]
                    + ", bytes: 1, reserves: 0, key: ''}\nnext: 3\n", ready);
            assertTrue(w.ok("list-jobs q ready 1 3\r\n").endsWith("key: 'k3'}\nnext: 0\n"));
            w.call("delete-key k3\r\n", "DELETED\r\n");
            w.call("clear-tube q\r\n", "CLEARED 2\r\n");
            w.call("clear-tube nope\r\n", "NOT_FOUND\r\n");
            w.call("tube-set q max-reserves=1\r\n", "UPDATED\r\n");
            w.call("watch q\r\n", "WATCHING 2\r\n");
            w.call("put 0 0 60 1\r\nd\r\n", "INSERTED 5\r\n");
            w.call("reserve\r\n", "RESERVED 5 1\r\nd\r\n");
            w.call("release-ex 5 0 50ms\r\n", "BURIED\r\n");
            w.call("schedule-add beat 0 60 4 @every 200ms\r\nbeat\r\n", "SCHEDULED\r\n");
            w.call("schedule-add bad 0 60 1 @every soon\r\nx\r\n", "BAD_FORMAT\r\n");
            assertTrue(w.ok("schedule-list\r\n").contains("name: 'beat', spec: '@every 200ms', tz: 'UTC'"));
            w.call("reserve-with-timeout 2\r\n", "RESERVED 6 4\r\nbeat\r\n");
            w.call("schedule-remove beat\r\n", "REMOVED\r\n");
            w.call("schedule-remove beat\r\n", "NOT_FOUND\r\n");
            String ext = w.ok("stats-ext\r\n");
            assertTrue(ext.contains("total-cancelled: 1\n") && ext.contains("total-auto-buried: 1\n"), ext);
            // beanstalkd's own replies are untouched by all this
            w.call("stats-job 1\r\n", "NOT_FOUND\r\n");
            assertEquals("1", w.stat("stats-tube q\r\n", "current-jobs-buried"));
        }
    }

    @Test
    void extensionStateSurvivesARestart() throws Exception {
        try (TestBroker b = TestBroker.start(durable(1 << 20)); Wire w = b.connect(); Wire other = b.connect()) {
            w.call("put-ex 0 0 60 4 key=live ttl=1h max-reserves=2\r\nlive\r\n", "INSERTED 1\r\n");
            w.call("put-ex 0 0 60 4 key=done\r\ndone\r\n", "INSERTED 2\r\n");
            w.call("delete 2\r\n", "DELETED\r\n");
            w.call("put-ex 0 0 60 3 ttl=500ms\r\nttl\r\n", "INSERTED 3\r\n");
            w.call("put 0 0 60 3\r\ncan\r\n", "INSERTED 4\r\n");
            w.call("reserve-job 4\r\n", "RESERVED 4 3\r\ncan\r\n");
            other.call("cancel 4\r\n", "CANCELLING\r\n");
            w.call("tube-set default max-reserves=5\r\n", "UPDATED\r\n");
            w.call("use rep\r\n", "USING rep\r\n");
            w.call("schedule-add nightly 3 60 2 0 3 * * * tz=Europe/Paris\r\nhi\r\n", "SCHEDULED\r\n");
        }
        Thread.sleep(600); // job 3's TTL ends while the broker is down
        try (TestBroker b = TestBroker.start(durable(1 << 20)); Wire w = b.connect()) {
            w.call("put-ex 0 0 60 1 key=live\r\nx\r\n", "EXISTS 1\r\n");
            w.call("put-ex 0 0 60 1 key=done\r\nx\r\n", "EXISTS 2\r\n");
            String live = w.ok("job-state-key live\r\n");
            long ttlLeft = Long.parseLong(live.split("ttl-left-ms: ")[1].split("\n")[0]);
            assertTrue(ttlLeft > 3_500_000 && ttlLeft <= 3_600_000, live);
            assertTrue(w.ok("job-state 2\r\n").contains("state: deleted\n"));
            assertTrue(w.ok("job-state 3\r\n").contains("state: expired\n"));
            assertTrue(w.ok("job-state 4\r\n").contains("state: cancelled\n"), "a cancelled job stays cancelled");
            w.call("peek 4\r\n", "NOT_FOUND\r\n");
            // job 1's own limit (2) wins over the tube's (5), which survived too
            w.call("reserve\r\n", "RESERVED 1 4\r\nlive\r\n");
            w.call("release 1 0 0\r\n", "RELEASED\r\n");
            w.call("reserve\r\n", "RESERVED 1 4\r\nlive\r\n");
            w.call("release 1 0 0\r\n", "BURIED\r\n");
            w.call("put 0 0 60 1\r\np\r\n", "INSERTED 5\r\n");
            for (int i = 0; i < 4; i++) {
                w.call("reserve\r\n", "RESERVED 5 1\r\np\r\n");
                w.call("release 5 0 0\r\n", "RELEASED\r\n");
            }
            w.call("reserve\r\n", "RESERVED 5 1\r\np\r\n");
            w.call("release 5 0 0\r\n", "BURIED\r\n");
            String list = w.ok("schedule-list\r\n");
            assertTrue(list.contains("tube: 'rep', name: 'nightly', spec: '0 3 * * *', tz: 'Europe/Paris', pri: 3"),
                    list);
        }
    }

    @Test
    void aFiringMissedWhileTheBrokerWasDownHappensOnceAtStart() throws Exception {
        try (TestBroker b = TestBroker.start(durable(1 << 20)); Wire w = b.connect()) {
            w.call("use beat\r\n", "USING beat\r\n");
            w.call("schedule-add s 0 60 1 @every 1s\r\n!\r\n", "SCHEDULED\r\n");
        }
        Thread.sleep(3500); // about three firings missed
        try (TestBroker b = TestBroker.start(durable(1 << 20)); Wire w = b.connect()) {
            w.call("watch beat\r\n", "WATCHING 2\r\n");
            w.call("ignore default\r\n", "WATCHING 1\r\n");
            w.call("reserve-with-timeout 1\r\n", "RESERVED 1 1\r\n!\r\n");
            w.call("delete 1\r\n", "DELETED\r\n");
            // the next firing keeps the 1 s grid: it is at most a second away, and there is no second catch-up job
            long t0 = System.nanoTime();
            w.call("reserve-with-timeout 3\r\n", "RESERVED 2 1\r\n!\r\n");
            assertTrue(System.nanoTime() - t0 < 1_900_000_000L);
            assertEquals("0", w.stat("stats-tube beat\r\n", "current-jobs-ready"));
        }
    }

    @Test
    void compactionKeepsSchedulesFinishedJobsAndSettings() throws Exception {
        long segment = 64 * 1024;
        try (TestBroker b = TestBroker.start(durable(segment)); Wire w = b.connect()) {
            w.call("use keep\r\n", "USING keep\r\n");
            w.call("schedule-add yearly 0 60 1 @yearly\r\ny\r\n", "SCHEDULED\r\n");
            w.call("tube-set keep max-reserves=7\r\n", "UPDATED\r\n");
            w.call("put-ex 0 0 60 1 key=first\r\nf\r\n", "INSERTED 1\r\n");
            w.call("delete 1\r\n", "DELETED\r\n");
            w.call("use churn\r\n", "USING churn\r\n");
            String body = "x".repeat(1000);
            for (int i = 0; i < 1000; i++) { // ~1 MB through 64 KB segments
                w.send("put 0 0 60 1000\r\n" + body + "\r\n");
                String id = w.line().substring(9);
                w.call("delete " + id + "\r\n", "DELETED\r\n");
            }
            assertTrue(Long.parseLong(w.stat("stats\r\n", "binlog-records-migrated")) > 0);
            assertTrue(Long.parseLong(w.stat("stats-log\r\n", "segments")) < 8);
        }
        try (TestBroker b = TestBroker.start(durable(segment)); Wire w = b.connect()) {
            assertEquals(1, count(w.ok("schedule-list\r\n"), "name: 'yearly'"));
            w.call("put-ex 0 0 60 1 key=first\r\nf\r\n", "EXISTS 1\r\n");
            w.call("use keep\r\n", "USING keep\r\n");
            w.call("watch keep\r\n", "WATCHING 2\r\n");
            w.call("put 0 0 60 1\r\nk\r\n", "INSERTED 1002\r\n");
            for (int i = 0; i < 6; i++) {
                w.call("reserve\r\n", "RESERVED 1002 1\r\nk\r\n");
                w.call("release 1002 0 0\r\n", "RELEASED\r\n");
            }
            w.call("reserve\r\n", "RESERVED 1002 1\r\nk\r\n");
            w.call("release 1002 0 0\r\n", "BURIED\r\n"); // the tube's limit of 7 survived compaction
        }
    }
}
