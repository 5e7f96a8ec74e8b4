package io.sluice.client;

/** {@link AsyncClientContract} against a real beanstalkd 1.12 process (skipped when /usr/bin/beanstalkd is absent). */
class BeanstalkdAsyncClientTest extends AsyncClientContract {
    @Override
    TestServer startServer() throws Exception {
        return TestServer.beanstalkd();
    }
}
