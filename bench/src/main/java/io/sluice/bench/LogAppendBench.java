package io.sluice.bench;

import io.sluice.broker.config.FsyncPolicy;
import io.sluice.broker.log.FileOpener;
import io.sluice.broker.log.LogFormat;
import io.sluice.broker.log.LogWriter;
import io.sluice.broker.log.RecordCodec;
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

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * The log append path: the benchmark thread (standing for the engine thread) appends pre-encoded 186-byte JOB
 * records to a {@link LogWriter} in a temporary directory and waits until the writer reports them durable, as the
 * engine waits before it releases held replies. The log thread stages them, writes, and fsyncs per the policy
 * ({@code never}: no fsync; {@code always}: one fsync per batch, group commit). {@code one}: one record per
 * wait (one put from one connection); {@code batch64}: 64 records per wait (64 puts arriving together). Score:
 * records per second.
 *
 * <p>Segments roll as the engine rolls them (10 MiB, the default), so the cost of preparing the next segment
 * (zero-filled ahead, forced) is included; each rolled-out segment is deleted so the disk use stays bounded, as
 * compaction would do for a segment holding only garbage. The temporary directory is on the same disk as
 * {@code java.io.tmpdir}.
 *
 * <p>Thread rule: JMH's benchmark thread appends (the writer's single producer); the log thread is the writer's.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
public class LogAppendBench {
    static final long SEGMENT_SIZE = 10_485_760;

    @Param({"never", "always"})
    public String fsync;

    private Path dir;
    private LogWriter writer;
    private byte[] record;
    /** Bytes appended since start: the writer counts the same (header bytes are not positions). */
    private long appended;
    private long sequence;
    private long segmentBytes;
    private volatile Thread waiter;
    private volatile Throwable failure;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("sluice-bench-log");
        FsyncPolicy policy = fsync.equals("always") ? FsyncPolicy.ALWAYS : FsyncPolicy.NEVER;
        writer = new LogWriter(dir, policy, SEGMENT_SIZE, FileOpener.DEFAULT, this::durableAdvanced,
                t -> failure = t);
        sequence = 1;
        writer.start(sequence, 1);
        segmentBytes = LogFormat.HEADER_SIZE;
        record = RecordCodec.encode(LogRecords.job(1, Workload.body()));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        writer.stop();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
        checkFailure();
    }

    @Benchmark
    public long one() {
        append();
        return awaitDurable();
    }

    @Benchmark
    @OperationsPerInvocation(64)
    public long batch64() {
        for (int i = 0; i < 64; i++) {
            append();
        }
        return awaitDurable();
    }

    /** Log thread, after each written batch. */
    private void durableAdvanced() {
        Thread w = waiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
    }

    private void append() {
        if (segmentBytes + record.length > SEGMENT_SIZE) {
            roll();
        }
        writer.append(record);
        segmentBytes += record.length;
        appended += record.length;
    }

    private void roll() {
        long next = sequence + 1;
        // The engine refuses changes (OUT_OF_MEMORY) until the next segment is ready; here we wait for it.
        while (writer.readySequence() < next) {
            checkFailure();
            LockSupport.parkNanos(100_000);
        }
        writer.roll(next, 1);
        writer.deleteSegment(sequence);
        sequence = next;
        segmentBytes = LogFormat.HEADER_SIZE;
    }

    private long awaitDurable() {
        // waiter is published before durablePosition is read, and the writer publishes durable before it reads
        // waiter: one of the two sees the other, so no wake-up is lost (a park after an unpark returns at once).
        waiter = Thread.currentThread();
        while (writer.durablePosition() < appended) {
            checkFailure();
            LockSupport.parkNanos(this, 10_000_000);
        }
        waiter = null;
        return appended;
    }

    private void checkFailure() {
        Throwable t = failure;
        if (t != null) {
            throw new IllegalStateException("log writer failed", t);
        }
    }
}
