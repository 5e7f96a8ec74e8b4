package io.sluice.client;

/** {@link AsyncClientContract} against an in-process Sluice broker. */
class SluiceAsyncClientTest extends AsyncClientContract {
    @Override
    TestServer startServer() throws Exception {
        return TestServer.sluice();
    }
}
