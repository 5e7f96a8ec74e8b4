package io.sluice.bench;

import io.sluice.broker.Broker;
import io.sluice.broker.config.BrokerConfig;
import io.sluice.client.AsyncBeanstalkClient;
import io.sluice.client.BeanstalkClient;
import io.sluice.client.ClientConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Put throughput over one connection to an in-process Sluice broker (in memory, port 0, default I/O threads), the
 * client's side of the hot path. Score: jobs per second, each acknowledged {@code INSERTED}.
 *
 * <ul>
 *   <li>{@code asyncPipelined}: {@link AsyncBeanstalkClient} with at most {@value #WINDOW} puts in flight (its
 *       back-pressure limit), {@value #PUTS} puts per invocation, then every future joined.</li>
 *   <li>{@code rawSocketPipelined}: the same puts with the same window over a bare socket ({@link RawPipeline}):
 *       what the client should come close to.</li>
 *   <li>{@code blocking}: {@link BeanstalkClient#put}, one round trip per put, for reference.</li>
 * </ul>
 *
 * <p>The broker runs in the benchmark's JVM: its event loops and engine thread share the 2 cores with the client's
 * threads, and {@code -prof gc} counts the broker's allocation too (the same in every variant, so the difference
 * between two variants is the client's). The jobs pile up in the broker (nothing consumes them), and a young
 * collection would copy every queued job and stop both sides for hundreds of milliseconds: so each iteration gets a
 * fresh broker and starts with a collection, and the young generation (3 GiB) holds an iteration's allocation,
 * keeping collections out of the timed window. This benchmark compares clients; the B/op column shows their GC
 * pressure.
 *
 * <p>Thread rule: JMH's benchmark thread submits; the async client's writer and reader threads are its own.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx6g", "-Xmn3g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
public class ClientPutBench {
    static final int PUTS = 10_000;
    static final int WINDOW = 64;
    private static final Duration TTR = Duration.ofSeconds(Workload.TTR);

    private final byte[] body = Workload.body();
    @SuppressWarnings("unchecked")
    private final CompletableFuture<Long>[] futures = new CompletableFuture[PUTS];
    private Broker broker;
    private AsyncBeanstalkClient async;
    private BeanstalkClient blocking;
    private RawPipeline raw;

    @Setup(Level.Iteration)
    public void startBroker() throws Exception {
        broker = Broker.start(BrokerConfig.defaults().withPort(0));
        ClientConfig config = ClientConfig.builder().host("127.0.0.1").port(broker.port()).maxInFlight(WINDOW)
                .build();
        async = AsyncBeanstalkClient.connect(config);
        blocking = BeanstalkClient.connect(config);
        raw = new RawPipeline(broker.address(), WINDOW);
        System.gc(); // the last iteration's broker and jobs: collected here, not in the timed window
    }

    @TearDown(Level.Iteration)
    public void stopBroker() throws Exception {
        async.close();
        blocking.close();
        raw.close();
        broker.close();
    }

    @Benchmark
    @OperationsPerInvocation(PUTS)
    public long asyncPipelined() {
        for (int i = 0; i < PUTS; i++) {
            futures[i] = async.put(Workload.PRI, Duration.ZERO, TTR, body); // blocks while WINDOW are in flight
        }
        long last = 0;
        for (int i = 0; i < PUTS; i++) {
            last = futures[i].join();
            futures[i] = null;
        }
        return last;
    }

    @Benchmark
    @OperationsPerInvocation(PUTS)
    public long rawSocketPipelined() throws IOException {
        return raw.putAll(PUTS);
    }

    @Benchmark
    public long blocking() {
        return blocking.put(Workload.PRI, Duration.ZERO, TTR, body);
    }
}
