package io.sluice.bench;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.infra.Blackhole;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs every benchmark's setup, body and teardown once, with small sizes, so that a change to the broker or the
 * client that breaks a benchmark fails the build instead of being found at the next benchmark run. Measures
 * nothing. The benchmark bodies check their own replies (ids, INSERTED, command counts).
 */
class BenchmarksSmokeTest {
    private static final Blackhole BH = new Blackhole(
            "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");

    @Test
    void decoder() {
        for (String workload : new String[] {"put", "cycle"}) {
            DecoderBench b = new DecoderBench();
            b.workload = workload;
            b.readSize = 16384;
            b.setUp(BH);
            try {
                assertEquals(DecoderBench.COMMANDS, b.decode());
                assertEquals(DecoderBench.COMMANDS, b.decode()); // a second pass: the decoder is back in LINE state
            } finally {
                b.tearDown();
            }
        }
    }

    @Test
    void parser() {
        ParserBench b = new ParserBench();
        assertTrue(b.putHeader());
        assertEquals("Reserve[timeoutSeconds=-1, withTimeout=false]", b.reserve().toString());
        assertEquals("Delete[id=1000000]", b.delete().toString());
    }

    @Test
    void enginePut() {
        EnginePutBench b = new EnginePutBench();
        b.queued = 1000;
        b.setUp();
        assertEquals(1000 + EnginePutBench.BATCH, b.put());
        b.deleteAdded();
        assertEquals(1000 + 2 * EnginePutBench.BATCH, b.put());
        b.deleteAdded();
    }

    @Test
    void engineCycle() {
        EngineCycleBench b = new EngineCycleBench();
        b.queued = 1000;
        b.setUp();
        assertEquals(1, b.cycle()); // the oldest job
        assertEquals(2, b.cycle());
    }

    @Test
    void engineTubes() {
        EngineTubesBench b = new EngineTubesBench();
        b.tubes = 20;
        b.watched = 5;
        b.setUp();
        for (int i = 0; i < 20; i++) {
            assertTrue(b.cycle() > 0);
        }
    }

    @Test
    void recordEncode() {
        RecordEncodeBench b = new RecordEncodeBench();
        assertEquals(186, b.job().length);
        assertEquals(17, b.delete().length);
    }

    @Test
    void logAppend() throws Exception {
        for (String fsync : new String[] {"never", "always"}) {
            LogAppendBench b = new LogAppendBench();
            b.fsync = fsync;
            b.setUp();
            try {
                assertEquals(186, b.one());
                assertEquals(186 * 65, b.batch64());
            } finally {
                b.tearDown();
            }
        }
    }

    @Test
    void clientPut() throws Exception {
        ClientPutBench b = new ClientPutBench();
        b.startBroker();
        try {
            assertEquals(ClientPutBench.PUTS, b.asyncPipelined());
            assertEquals(2 * ClientPutBench.PUTS, b.rawSocketPipelined());
            assertEquals(2 * ClientPutBench.PUTS + 1, b.blocking());
        } finally {
            b.stopBroker();
        }
    }
}
