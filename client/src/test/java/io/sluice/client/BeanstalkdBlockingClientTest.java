package io.sluice.client;

/** {@link BlockingClientContract} against a real beanstalkd 1.12 process (skipped when /usr/bin/beanstalkd is absent). */
class BeanstalkdBlockingClientTest extends BlockingClientContract {
    @Override
    TestServer startServer() throws Exception {
        return TestServer.beanstalkd();
    }
}
