package io.sluice.broker.it;

import io.sluice.broker.Broker;
import io.sluice.broker.config.BrokerConfig;

/** A real broker on a free loopback port, for tests over TCP. Controlling (test) thread only. */
final class TestBroker implements AutoCloseable {
    final Broker broker;

    private TestBroker(Broker broker) {
        this.broker = broker;
    }

    static TestBroker start() throws Exception {
        return start(BrokerConfig.defaults().withPort(0));
    }

    static TestBroker start(BrokerConfig config) throws Exception {
        return new TestBroker(Broker.start(config));
    }

    int port() {
        return broker.port();
    }

    Wire connect() throws java.io.IOException {
        return new Wire(port());
    }

    @Override
    public void close() throws InterruptedException {
        broker.close();
    }
}
