package io.sluice.bench;

import io.sluice.broker.log.LogRecord;
import io.sluice.broker.log.RecordCodec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * {@link RecordCodec#encode}: a log record to its framed bytes (layout, then CRC32C of the payload), as the engine
 * thread does for every durable change before handing the bytes to the log thread. {@code job} is the record of a
 * put with a 100-byte body (186 bytes framed), {@code delete} the record of a delete (17 bytes).
 *
 * <p>Thread rule: JMH's benchmark thread, standing for the engine thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
public class RecordEncodeBench {
    private final LogRecord job = LogRecords.job(1_000_000, Workload.body());
    private final LogRecord delete = LogRecord.delete(1_000_000);

    @Benchmark
    public byte[] job() {
        return RecordCodec.encode(job);
    }

    @Benchmark
    public byte[] delete() {
        return RecordCodec.encode(delete);
    }
}
