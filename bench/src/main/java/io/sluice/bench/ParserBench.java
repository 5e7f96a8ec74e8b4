package io.sluice.bench;

import io.sluice.broker.protocol.Command;
import io.sluice.broker.protocol.CommandParser;
import io.sluice.broker.protocol.ProtocolLimits;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * {@link CommandParser#parse} alone, one command line (CRLF stripped) per op: the part of the decoder that turns a
 * line into a command, without Netty. A put header returns null (its values stay in the parser for the body).
 *
 * <p>Thread rule: JMH's benchmark thread only (a parser belongs to one connection's event loop).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
public class ParserBench {
    private final CommandParser parser = new CommandParser(ProtocolLimits.DEFAULT_MAX_JOB_SIZE);
    private final byte[] put = line("put 0 0 60 100");
    private final byte[] reserve = line("reserve");
    private final byte[] delete = line("delete 1000000");

    private static byte[] line(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Benchmark
    public boolean putHeader() {
        // null and not too big: the body comes next
        return parser.parse(put, put.length) == null && !parser.putTooBig();
    }

    @Benchmark
    public Command reserve() {
        return parser.parse(reserve, reserve.length);
    }

    @Benchmark
    public Command delete() {
        return parser.parse(delete, delete.length);
    }
}
