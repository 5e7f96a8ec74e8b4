package io.sluice.bench;

import io.sluice.broker.engine.Client;
import io.sluice.broker.protocol.Command;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * One put + reserve + delete cycle on the engine alone (in memory), with {@code queued} ready jobs in the tube: a
 * producer connection puts a job at the back, a worker connection reserves the front one (the oldest: equal
 * priorities) and deletes it, then one flush ends the cycle. The tube stays at exactly {@code queued}, so the heap
 * and the id map are measured at that size. Score: cycles per second (3 commands each).
 *
 * <p>Thread rule: JMH's benchmark thread is the engine thread (the engine is single-threaded).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
public class EngineCycleBench {
    @Param({"10000", "1000000"})
    public int queued;

    private EngineFixture f;
    private LastReplySink producerSink;
    private LastReplySink workerSink;
    private Client producer;
    private Client worker;

    @Setup(Level.Trial)
    public void setUp() {
        f = new EngineFixture();
        producerSink = new LastReplySink();
        workerSink = new LastReplySink();
        producer = f.open(producerSink);
        worker = f.open(workerSink);
        f.fill(producer, producerSink, queued);
    }

    @Benchmark
    public long cycle() {
        f.run(producer, producerSink, f.put);
        f.run(worker, workerSink, EngineFixture.RESERVE);
        long id = workerSink.lastId();
        f.run(worker, workerSink, new Command.Delete(id)); // as decoded: one Delete per command
        f.engine.flush();
        return id;
    }
}
