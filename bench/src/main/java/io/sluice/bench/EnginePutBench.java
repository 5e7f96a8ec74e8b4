package io.sluice.bench;

import io.sluice.broker.engine.Client;
import io.sluice.broker.protocol.Command;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * {@code put} on the engine alone (in memory), into a tube already holding {@code queued} ready jobs: job object,
 * id map, ready heap, stats, reply. One op is one put; each invocation puts {@value #BATCH} and ends with one
 * flush, as an engine cycle does for a pipelined batch. The jobs an invocation added are deleted after it, outside
 * the timing, so the tube stays at {@code queued}..{@code queued + BATCH} whatever the run length. (With
 * {@code -prof gc} the deletes' {@code Command.Delete} objects, 24 B per put, are counted in the allocation.)
 *
 * <p>Thread rule: JMH's benchmark thread is the engine thread (the engine is single-threaded).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
public class EnginePutBench {
    static final int BATCH = 1024;

    @Param({"10000", "1000000"})
    public int queued;

    private EngineFixture f;
    private LastReplySink sink;
    private Client producer;
    private final long[] added = new long[BATCH];

    @Setup(Level.Trial)
    public void setUp() {
        f = new EngineFixture();
        sink = new LastReplySink();
        producer = f.open(sink);
        f.fill(producer, sink, queued);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long put() {
        for (int i = 0; i < BATCH; i++) {
            f.run(producer, sink, f.put);
            added[i] = sink.lastId();
        }
        f.engine.flush();
        return added[BATCH - 1];
    }

    @TearDown(Level.Invocation)
    public void deleteAdded() {
        for (int i = 0; i < BATCH; i++) {
            f.run(producer, sink, new Command.Delete(added[i]));
        }
        f.engine.flush();
    }
}
