package io.sluice.broker.engine;

import io.sluice.broker.protocol.Command;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The engine thread's front door: a handed-over batch reports itself applied only after its prompt replies. */
class EngineRunnerTest {
    /** What the engine flushed, with whether the batch already said "applied" at that moment. */
        private EngineRunner.Batches watched;
    private final EngineRunner runner = new EngineRunner(
            new Engine(Clock.SYSTEM, 65535, 10_485_760, ServerInfo.fixed()), Clock.SYSTEM);

    /** A connection whose flushes also say whether the watched batch was marked applied then. */
    private FlushLog sink() {
        return new FlushLog(() -> {
            EngineRunner.Batches b = watched;
            return "applied=" + (b != null && b.applied());
        });
    }

    @AfterEach
    void stop() throws InterruptedException {
        runner.stop();
    }

    private static boolean becomesApplied(EngineRunner.Batches b) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!b.applied() && System.nanoTime() < end) {
            Thread.sleep(1);
        }
        return b.applied();
    }

    @Test
    void aBatchIsMarkedAppliedOnlyAfterItsImmediateRepliesAreFlushed() throws InterruptedException {
        FlushLog log = sink();
        Client c = new Client(log);
        runner.open(c);
        watched = runner.submitAll(List.of(c), List.of(List.of(
                new Command.Put(0, 0, 60, "a".getBytes()), new Command.Put(0, 0, 60, "b".getBytes()))));
        assertFalse(watched.applied(), "nothing is applied before the engine runs");
        runner.start();
        assertTrue(becomesApplied(watched));
        String first = log.flushes.poll(10, TimeUnit.SECONDS);
        assertNotNull(first);
        assertTrue(first.contains("value=1") && first.contains("value=2"), first);
        assertTrue(first.endsWith("applied=false"), "marked before its replies were flushed: " + first);
    }

    @Test
    void aBatchWhoseReplyWaitsForAJobIsStillMarkedApplied() throws InterruptedException {
        runner.start();
        FlushLog workerLog = sink();
        Client worker = new Client(workerLog);
        runner.open(worker);
        EngineRunner.Batches b = runner.submitAll(List.of(worker), List.of(List.of(new Command.Reserve(-1))));
        assertTrue(becomesApplied(b), "a waiting reserve must not keep the loop polling for a reply");
        assertNull(workerLog.flushes.poll(50, TimeUnit.MILLISECONDS), "no job, no reply");
        FlushLog producerLog = sink();
        Client producer = new Client(producerLog);
        runner.open(producer);
        EngineRunner.Batches put = runner.submitAll(List.of(producer),
                List.of(List.of(new Command.Put(0, 0, 60, "x".getBytes()))));
        assertTrue(becomesApplied(put));
        String a = workerLog.flushes.poll(10, TimeUnit.SECONDS);
        assertNotNull(a);
        assertTrue(a.contains("RESERVED"), a);
        assertNotNull(producerLog.flushes.poll(10, TimeUnit.SECONDS));
    }
}
