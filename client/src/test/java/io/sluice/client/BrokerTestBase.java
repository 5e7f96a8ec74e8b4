package io.sluice.client;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;

/**
 * Base of the contract tests: each runs against an in-process Sluice ({@code Sluice*Test}) and a real beanstalkd
 * ({@code Beanstalkd*Test}, skipped when it is not installed). One broker per class; each test has its own tube.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class BrokerTestBase {
    private static final AtomicInteger SEQ = new AtomicInteger();

    TestServer server;
    /** A tube of this test's own. */
    String tube;
    private final Deque<AutoCloseable> cleanup = new ArrayDeque<>();

    /** The broker this class runs against. */
    abstract TestServer startServer() throws Exception;

    @BeforeAll
    void startBroker() throws Exception {
        server = startServer();
    }

    @AfterAll
    void stopBroker() {
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void nameTube(TestInfo info) {
        tube = info.getTestMethod().orElseThrow().getName() + "-" + SEQ.incrementAndGet();
    }

    @AfterEach
    void closeAll() throws Exception {
        while (!cleanup.isEmpty()) {
            cleanup.pop().close();
        }
    }

    /** Closes {@code c} after the test. */
    <T extends AutoCloseable> T track(T c) {
        cleanup.push(c);
        return c;
    }

    BeanstalkClient connect() {
        return track(BeanstalkClient.connect(server.config()));
    }

    /** A client using and watching (only) this test's tube. */
    BeanstalkClient connectOnTube() {
        BeanstalkClient c = connect();
        c.use(tube);
        c.watch(tube);
        c.ignore("default");
        return c;
    }
}
