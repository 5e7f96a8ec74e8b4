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
 * The engine with many tubes: {@code tubes} tubes of {@value #JOBS_PER_TUBE} ready jobs each, one worker
 * connection watching {@code watched} of them (not {@code default}), and one producer connection per watched tube
 * (each {@code use}s its own). One op is a cycle: the next producer in turn puts into its tube, the worker reserves
 * (a scan of its watch list for the lowest pri, id) and deletes. What this adds over {@link EngineCycleBench} is
 * the reserve's scan of the watch list and the cache misses of touching many tubes.
 *
 * <p>Thread rule: JMH's benchmark thread is the engine thread (the engine is single-threaded).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
public class EngineTubesBench {
    static final int JOBS_PER_TUBE = 10;

    @Param({"1000"})
    public int tubes;

    @Param({"1", "10", "100"})
    public int watched;

    private EngineFixture f;
    private LastReplySink[] producerSinks;
    private Client[] producers;
    private LastReplySink workerSink;
    private Client worker;
    private int next;

    static String tube(int i) {
        return "tube-" + i;
    }

    @Setup(Level.Trial)
    public void setUp() {
        if (watched > tubes) {
            throw new IllegalArgumentException("watched " + watched + " > tubes " + tubes);
        }
        f = new EngineFixture();
        LastReplySink loaderSink = new LastReplySink();
        Client loader = f.open(loaderSink);
        for (int t = 0; t < tubes; t++) {
            f.run(loader, loaderSink, new Command.Use(tube(t)));
            f.fill(loader, loaderSink, JOBS_PER_TUBE);
        }
        workerSink = new LastReplySink();
        worker = f.open(workerSink);
        for (int t = 0; t < watched; t++) {
            f.run(worker, workerSink, new Command.Watch(tube(t)));
        }
        f.run(worker, workerSink, new Command.Ignore("default"));
        producerSinks = new LastReplySink[watched];
        producers = new Client[watched];
        for (int t = 0; t < watched; t++) {
            producerSinks[t] = new LastReplySink();
            producers[t] = f.open(producerSinks[t]);
            f.run(producers[t], producerSinks[t], new Command.Use(tube(t)));
        }
        f.engine.flush();
    }

    @Benchmark
    public long cycle() {
        int p = next;
        next = p + 1 == watched ? 0 : p + 1;
        f.run(producers[p], producerSinks[p], f.put);
        f.run(worker, workerSink, EngineFixture.RESERVE);
        long id = workerSink.lastId();
        f.run(worker, workerSink, new Command.Delete(id));
        f.engine.flush();
        return id;
    }
}
