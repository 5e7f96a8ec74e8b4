package io.sluice.broker.it;

import io.sluice.broker.config.BrokerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every command and every reply over real TCP, against a broker on port 0 (beanstalkd's testserv.c style). */
class CommandsIntegrationTest {
    private TestBroker broker;
    private Wire c;

    @BeforeEach
    void start() throws Exception {
        broker = TestBroker.start(BrokerConfig.defaults().withPort(0).withMaxJobSize(100));
        c = broker.connect();
    }

    @AfterEach
    void stop() throws Exception {
        c.close();
        broker.close();
    }

    @Test
    void putPeekReserveDelete() throws Exception {
        c.call("put 0 0 60 5\r\nhello\r\n", "INSERTED 1\r\n");
        c.call("peek 1\r\n", "FOUND 1 5\r\nhello\r\n");
        c.call("peek-ready\r\n", "FOUND 1 5\r\nhello\r\n");
        c.call("reserve\r\n", "RESERVED 1 5\r\nhello\r\n");
        c.call("peek-ready\r\n", "NOT_FOUND\r\n");
        c.call("delete 1\r\n", "DELETED\r\n");
        c.call("delete 1\r\n", "NOT_FOUND\r\n");
        c.call("peek 1\r\n", "NOT_FOUND\r\n");
    }

    @Test
    void bodiesAreOpaqueBytes() throws Exception {
        c.call("put 0 0 60 0\r\n\r\n", "INSERTED 1\r\n");
        c.call("put 0 0 60 6\r\n\r\n\0\r\n\0\r\n", "INSERTED 2\r\n");
        c.call("reserve\r\n", "RESERVED 1 0\r\n\r\n");
        c.call("reserve\r\n", "RESERVED 2 6\r\n\r\n\0\r\n\0\r\n");
    }

    @Test
    void putErrors() throws Exception {
        c.call("put 0 0 60 101\r\n" + "x".repeat(101) + "\r\n", "JOB_TOO_BIG\r\n");
        c.call("put 0 0 60 3\r\nabcXY", "EXPECTED_CRLF\r\n"); // exactly bytes+2 are read, then checked
        c.call("put 0 0 60\r\n", "BAD_FORMAT\r\n");
        c.call("put 0 0 60 3 \r\n", "BAD_FORMAT\r\n");
        c.call("put -1 0 60 3\r\n", "BAD_FORMAT\r\n");
        c.call("put 4294967296 0 60 3\r\n", "BAD_FORMAT\r\n");
        c.call("put\r\n", "UNKNOWN_COMMAND\r\n");
        // id 1 went to the put whose body lacked its CRLF, as beanstalkd allocates it with the header
        c.call("put 4294967295 4294967295 4294967295 1\r\nx\r\n", "INSERTED 2\r\n");
        assertEquals("4294967295", c.stat("stats-job 2\r\n", "ttr")); // beyond what a job keeps in ms
        assertEquals("4294967295", c.stat("stats-job 2\r\n", "pri"));
        // counted: too big, bad body, trailing garbage, the good one
        assertEquals("4", c.stat("stats\r\n", "cmd-put"));
    }

    @Test
    void badHeaderLeavesBodyToBeParsedAsCommands() throws Exception {
        // beanstalkd does not consume the body of a rejected header: its bytes are commands.
        c.call("put 0 0 60 x\r\nlist-tube-used\r\n", "BAD_FORMAT\r\nUSING default\r\n");
    }

    @Test
    void releaseBuryKickTouch() throws Exception {
        c.call("put 5 0 60 1\r\na\r\n", "INSERTED 1\r\n");
        c.call("release 1 1 0\r\n", "NOT_FOUND\r\n");
        c.call("bury 1 1\r\n", "NOT_FOUND\r\n");
        c.call("touch 1\r\n", "NOT_FOUND\r\n");
        c.call("reserve\r\n", "RESERVED 1 1\r\na\r\n");
        c.call("touch 1\r\n", "TOUCHED\r\n");
        c.call("release 1 7 0\r\n", "RELEASED\r\n");
        assertEquals("7", c.stat("stats-job 1\r\n", "pri"));
        c.call("reserve\r\n", "RESERVED 1 1\r\na\r\n");
        c.call("bury 1 9\r\n", "BURIED\r\n");
        assertEquals("buried", c.stat("stats-job 1\r\n", "state"));
        c.call("peek-buried\r\n", "FOUND 1 1\r\na\r\n");
        c.call("kick 10\r\n", "KICKED 1\r\n");
        c.call("kick 10\r\n", "KICKED 0\r\n");
        c.call("reserve\r\n", "RESERVED 1 1\r\na\r\n");
        c.call("release 1 0 100\r\n", "RELEASED\r\n");
        c.call("peek-delayed\r\n", "FOUND 1 1\r\na\r\n");
        c.call("kick-job 1\r\n", "KICKED\r\n");
        c.call("kick-job 1\r\n", "NOT_FOUND\r\n");
        c.call("peek-delayed\r\n", "NOT_FOUND\r\n");
        assertEquals("2", c.stat("stats-job 1\r\n", "kicks"));
    }

    @Test
    void reservedJobsBelongToTheirConnection() throws Exception {
        try (Wire other = broker.connect()) {
            c.call("put 0 0 60 1\r\na\r\n", "INSERTED 1\r\n");
            c.call("reserve\r\n", "RESERVED 1 1\r\na\r\n");
            other.call("delete 1\r\n", "NOT_FOUND\r\n");
            other.call("release 1 0 0\r\n", "NOT_FOUND\r\n");
            other.call("bury 1 0\r\n", "NOT_FOUND\r\n");
            other.call("touch 1\r\n", "NOT_FOUND\r\n");
            other.call("reserve-job 1\r\n", "NOT_FOUND\r\n");
            other.call("peek 1\r\n", "FOUND 1 1\r\na\r\n");
            c.close();
            // the job comes back as soon as its connection is gone
            other.call("reserve-with-timeout 2\r\n", "RESERVED 1 1\r\na\r\n");
        }
    }

    @Test
    void tubes() throws Exception {
        c.call("use foo\r\n", "USING foo\r\n");
        c.call("list-tube-used\r\n", "USING foo\r\n");
        c.call("put 0 0 60 1\r\nf\r\n", "INSERTED 1\r\n");
        c.call("list-tubes\r\n", "OK 20\r\n---\n- default\n- foo\n\r\n");
        c.call("list-tubes-watched\r\n", "OK 14\r\n---\n- default\n\r\n");
        c.call("reserve-with-timeout 0\r\n", "TIMED_OUT\r\n");
        c.call("watch foo\r\n", "WATCHING 2\r\n");
        c.call("watch foo\r\n", "WATCHING 2\r\n");
        c.call("ignore default\r\n", "WATCHING 1\r\n");
        c.call("ignore foo\r\n", "NOT_IGNORED\r\n");
        c.call("ignore nosuch\r\n", "WATCHING 1\r\n");
        c.call("reserve\r\n", "RESERVED 1 1\r\nf\r\n");
        c.call("stats-tube nosuch\r\n", "NOT_FOUND\r\n");
        c.call("use " + "a".repeat(201) + "\r\n", "BAD_FORMAT\r\n");
        c.call("use -foo\r\n", "BAD_FORMAT\r\n");
        c.call("use  foo\r\n", "BAD_FORMAT\r\n");
        String longest = "A-Z+/;.$_()09az".repeat(14).substring(0, 200);
        c.call("use " + longest + "\r\n", "USING " + longest + "\r\n");
    }

    @Test
    void pauseTube() throws Exception {
        c.call("pause-tube nosuch 1\r\n", "NOT_FOUND\r\n");
        c.call("put 0 0 60 1\r\na\r\n", "INSERTED 1\r\n");
        c.call("pause-tube default 1\r\n", "PAUSED\r\n");
        assertEquals("1", c.stat("stats-tube default\r\n", "pause"));
        c.call("reserve-with-timeout 0\r\n", "TIMED_OUT\r\n");
        long t0 = System.nanoTime();
        c.call("reserve\r\n", "RESERVED 1 1\r\na\r\n"); // served when the pause ends
        long waitedMs = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(true, waitedMs > 500 && waitedMs < 3000, "waited " + waitedMs + " ms");
    }

    @Test
    void reserveTimesOutAndTtrExpires() throws Exception {
        c.call("put 0 0 1 1\r\na\r\n", "INSERTED 1\r\n");
        c.call("reserve\r\n", "RESERVED 1 1\r\na\r\n");
        // ttr 1: the whole TTR is inside the safety margin
        c.call("reserve\r\n", "DEADLINE_SOON\r\n");
        try (Wire other = broker.connect()) {
            // the job returns to ready after its TTR, with no client traffic needed to notice
            other.call("reserve-with-timeout 3\r\n", "RESERVED 1 1\r\na\r\n");
            assertEquals("1", other.stat("stats-job 1\r\n", "timeouts"));
            assertEquals("1", other.stat("stats\r\n", "job-timeouts"));
        }
    }

    @Test
    void ttrExpiresOnAnIdleConnection() throws Exception {
        // beanstalkd 1.12 leaves this job reserved until its connection sends something (PROTOCOL.md §7)
        c.call("put 0 0 1 1\r\na\r\n", "INSERTED 1\r\n");
        c.call("reserve\r\n", "RESERVED 1 1\r\na\r\n");
        Thread.sleep(2200);
        assertEquals("ready", c.stat("stats-job 1\r\n", "state"));
        assertEquals("1", c.stat("stats-job 1\r\n", "timeouts"));
        c.call("peek-ready\r\n", "FOUND 1 1\r\na\r\n");
    }

    @Test
    void errorsForUnknownAndMalformed() throws Exception {
        c.call("\r\n", "UNKNOWN_COMMAND\r\n");
        c.call("PUT 0 0 1 1\r\n", "UNKNOWN_COMMAND\r\n");
        c.call("reserveX\r\n", "BAD_FORMAT\r\n");
        c.call("stats-job\r\n", "BAD_FORMAT\r\n");
        c.call("delete 1 \r\n", "BAD_FORMAT\r\n");
        c.call("peek 18446744073709551615\r\n", "NOT_FOUND\r\n");
        c.call("peek 18446744073709551616\r\n", "BAD_FORMAT\r\n");
        c.call("stats\0\r\n", "BAD_FORMAT\r\n");
        c.call("x".repeat(500) + "\r\nlist-tube-used\r\n", "BAD_FORMAT\r\nUSING default\r\n");
    }

    @Test
    void statsShape() throws Exception {
        String stats = c.ok("stats\r\n");
        String[] lines = stats.split("\n");
        assertEquals("---", lines[0]);
        assertEquals(52, lines.length, stats); // "---" + beanstalkd's 51 keys
        assertEquals("current-jobs-urgent: 0", lines[1]);
        assertEquals("platform", lines[51].substring(0, lines[51].indexOf(':')));
        String tube = c.ok("stats-tube default\r\n");
        assertEquals(15, tube.split("\n").length, tube);
        c.call("put 0 0 60 1\r\na\r\n", "INSERTED 1\r\n");
        String job = c.ok("stats-job 1\r\n");
        assertEquals("---\nid: 1\ntube: default\nstate: ready\npri: 0\nage: 0\ndelay: 0\nttr: 60\ntime-left: 0\n"
                + "file: 0\nreserves: 0\ntimeouts: 0\nreleases: 0\nburies: 0\nkicks: 0\n", job);
    }

    @Test
    void quitClosesAfterEarlierReplies() throws Exception {
        c.send("put 0 0 60 1\r\na\r\nquit\r\nput 0 0 60 1\r\nb\r\n");
        c.expect("INSERTED 1\r\n");
        c.expectClosed();
        try (Wire other = broker.connect()) {
            other.call("peek 2\r\n", "NOT_FOUND\r\n");
        }
    }
}
