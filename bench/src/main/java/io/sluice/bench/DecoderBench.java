package io.sluice.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.embedded.EmbeddedChannel;
import io.sluice.broker.protocol.CommandDecoder;
import io.sluice.broker.protocol.ProtocolLimits;
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
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.TimeUnit;

/**
 * {@link CommandDecoder} in a Netty pipeline ({@link EmbeddedChannel}): bytes of {@value #COMMANDS} pipelined
 * commands to {@code Command} objects, as one connection's event loop does it. The stream arrives in reads of
 * {@code readSize} bytes, each copied into a fresh pooled direct buffer as a socket read would be, so commands
 * straddle reads and the decoder's cumulation works as in the server. Score: commands per second;
 * {@code -prof gc} gives bytes allocated per command (a put's body array and its {@code Command}).
 *
 * <p>Workloads: {@code put} (every command a 100-byte put) and {@code cycle} (put, reserve, delete).
 *
 * <p>Thread rule: JMH's benchmark thread only (one channel per thread, as one connection per event loop).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
public class DecoderBench {
    static final int COMMANDS = 1200;

    @Param({"put", "cycle"})
    public String workload;

    /** Bytes per socket read (Netty's adaptive allocator ranges up to 64 KiB). */
    @Param({"16384"})
    public int readSize;

    private byte[] stream;
    private EmbeddedChannel channel;
    private ChannelPipeline pipeline;
    private ByteBufAllocator alloc;
    private Sink sink;

    /** Last handler: counts and consumes what the decoder emits, instead of queueing it. */
    static final class Sink extends ChannelInboundHandlerAdapter {
        Blackhole bh;
        long commands;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            commands++;
            bh.consume(msg);
        }
    }

    @Setup(Level.Trial)
    public void setUp(Blackhole bh) {
        stream = workload.equals("put") ? Workload.puts(COMMANDS) : Workload.cycles(COMMANDS);
        sink = new Sink();
        sink.bh = bh;
        channel = new EmbeddedChannel(new CommandDecoder(ProtocolLimits.DEFAULT_MAX_JOB_SIZE), sink);
        pipeline = channel.pipeline();
        alloc = channel.alloc();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        channel.finishAndReleaseAll();
    }

    @Benchmark
    @OperationsPerInvocation(COMMANDS)
    public long decode() {
        long before = sink.commands;
        for (int off = 0; off < stream.length; off += readSize) {
            int n = Math.min(readSize, stream.length - off);
            ByteBuf read = alloc.directBuffer(readSize);
            read.writeBytes(stream, off, n);
            pipeline.fireChannelRead(read);
            pipeline.fireChannelReadComplete();
        }
        channel.checkException();
        long decoded = sink.commands - before;
        if (decoded != COMMANDS) {
            throw new IllegalStateException("decoded " + decoded + " commands, expected " + COMMANDS);
        }
        return decoded;
    }
}
