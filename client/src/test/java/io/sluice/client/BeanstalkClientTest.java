package io.sluice.client;

import io.sluice.broker.Broker;
import io.sluice.broker.config.BrokerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The blocking client against a real Sluice broker (and, in the subclass, the real beanstalkd). */
class BeanstalkClientTest {
    private Broker broker;
    int port;

    @BeforeEach
    void start() throws Exception {
        broker = Broker.start(BrokerConfig.defaults().withPort(0));
        port = broker.port();
    }

    @AfterEach
    void stop() throws Exception {
        broker.close();
    }

    @Test
    void everyCommand() {
        try (BeanstalkClient c = BeanstalkClient.connect("127.0.0.1", port);
             BeanstalkClient other = BeanstalkClient.connect("127.0.0.1", port)) {
            c.use("jobs");
            assertEquals("jobs", c.listTubeUsed());
            byte[] binary = {0, 13, 10, (byte) 0xff};
            long a = c.put(5, Duration.ZERO, Duration.ofSeconds(60), binary);
            long b = c.put(1, Duration.ofSeconds(100), Duration.ofSeconds(60), "later".getBytes());
            assertEquals(2, c.watch("jobs"));
            assertEquals(1, c.ignore("default"));
            assertThrows(BeanstalkException.NotIgnored.class, () -> c.ignore("jobs"));
            assertEquals(List.of("jobs"), c.listTubesWatched());
            assertTrue(c.listTubes().containsAll(List.of("default", "jobs")));
            assertArrayEquals(binary, c.peekReady().orElseThrow().body());
            assertEquals(b, c.peekDelayed().orElseThrow().id());
            Job j = c.reserve();
            assertEquals(a, j.id());
            assertArrayEquals(binary, j.body());
            assertThrows(BeanstalkException.NotFound.class, () -> other.delete(a));
            c.touch(a);
            assertEquals("reserved", c.statsJob(a).get("state"));
            c.release(a, 7, Duration.ZERO);
            assertEquals("7", c.statsJob(a).get("pri"));
            j = c.reserve(Duration.ofSeconds(1)).orElseThrow();
            c.bury(j.id(), 3);
            assertEquals(a, c.peekBuried().orElseThrow().id());
            assertEquals(1, c.kick(10));
            c.kickJob(b);
            Map<String, String> tube = c.statsTube("jobs");
            assertEquals("2", tube.get("current-jobs-ready"));
            assertEquals("jobs", tube.get("name"));
            assertTrue(Integer.parseInt(c.stats().get("current-connections")) >= 2);
            c.pauseTube("jobs", Duration.ZERO);
            assertEquals(b, c.reserveJob(b).id());
            c.delete(b);
            c.delete(c.reserve().id());
            assertTrue(c.reserve(Duration.ZERO).isEmpty());
            assertTrue(c.peek(a).isEmpty());
            assertThrows(BeanstalkException.NotFound.class, () -> c.statsJob(a));
            assertEquals("hi", peekBody(c, c.put("hi")));
        }
    }

    private static String peekBody(BeanstalkClient c, long id) {
        return new String(c.peek(id).orElseThrow().body(), StandardCharsets.UTF_8);
    }

    @Test
    void errorRepliesBecomeTypedExceptions() {
        try (BeanstalkClient c = BeanstalkClient.connect("127.0.0.1", port)) {
            BeanstalkException.ErrorReply e = assertThrows(BeanstalkException.ErrorReply.class,
                    () -> c.put(0, Duration.ZERO, Duration.ofSeconds(1), new byte[70_000]));
            assertEquals("JOB_TOO_BIG", e.word());
            assertEquals("BAD_FORMAT", assertThrows(BeanstalkException.ErrorReply.class,
                    () -> c.use("-bad")).word());
            c.put(0, Duration.ZERO, Duration.ofSeconds(1), new byte[1]);
            c.reserve();
            assertThrows(BeanstalkException.DeadlineSoon.class, c::reserve);
        }
    }

    @Test
    void aGoneBrokerIsAConnectionLostError() throws Exception {
        BeanstalkClient c = BeanstalkClient.connect("127.0.0.1", port);
        broker.close();
        assertThrows(BeanstalkException.ConnectionLost.class, () -> {
            c.put("x");
            c.put("y");
        });
        broker = Broker.start(BrokerConfig.defaults().withPort(0));
        assertThrows(BeanstalkException.ConnectionLost.class, () -> BeanstalkClient.connect("127.0.0.1", 1));
    }
}
