package io.sluice.client;

/** {@link WorkerContract} against an in-process Sluice broker. */
class SluiceWorkerTest extends WorkerContract {
    @Override
    TestServer startServer() throws Exception {
        return TestServer.sluice();
    }
}
