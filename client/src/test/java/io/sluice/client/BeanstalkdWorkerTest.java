package io.sluice.client;

/** {@link WorkerContract} against a real beanstalkd 1.12 process (skipped when /usr/bin/beanstalkd is absent). */
class BeanstalkdWorkerTest extends WorkerContract {
    @Override
    TestServer startServer() throws Exception {
        return TestServer.beanstalkd();
    }
}
