package io.sluice.client;

/** {@link ReconnectContract} against a real beanstalkd 1.12 process (skipped when /usr/bin/beanstalkd is absent). */
class BeanstalkdReconnectTest extends ReconnectContract {
    @Override
    TestServer startServer() throws Exception {
        return TestServer.beanstalkd();
    }
}
