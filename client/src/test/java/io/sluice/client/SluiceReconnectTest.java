package io.sluice.client;

/** {@link ReconnectContract} against an in-process Sluice broker. */
class SluiceReconnectTest extends ReconnectContract {
    @Override
    TestServer startServer() throws Exception {
        return TestServer.sluice();
    }
}
