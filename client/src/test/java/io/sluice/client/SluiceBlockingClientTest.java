package io.sluice.client;

/** {@link BlockingClientContract} against an in-process Sluice broker. */
class SluiceBlockingClientTest extends BlockingClientContract {
    @Override
    TestServer startServer() throws Exception {
        return TestServer.sluice();
    }
}
