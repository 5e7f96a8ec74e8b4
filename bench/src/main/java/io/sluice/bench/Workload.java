package io.sluice.bench;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The wire bytes the benchmarks send: {@code put 0 0 60 100} with a 100-byte body (as {@code bench/run.sh}), and
 * put / reserve / delete cycles.
 *
 * <p>Thread rule: static and immutable results; any thread.
 */
public final class Workload {
    public static final int BODY_SIZE = 100;
    public static final long PRI = 0;
    public static final long DELAY = 0;
    public static final long TTR = 60;

    private Workload() {
    }

    /** A fresh 100-byte body. */
    public static byte[] body() {
        byte[] b = new byte[BODY_SIZE];
        Arrays.fill(b, (byte) 'x');
        return b;
    }

    /** {@code put 0 0 60 100\r\n<body>\r\n}. */
    public static byte[] putCommand() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("put " + PRI + " " + DELAY + " " + TTR + " " + BODY_SIZE + "\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(body());
        out.writeBytes(new byte[] {'\r', '\n'});
        return out.toByteArray();
    }

    /** {@code commands} pipelined puts. */
    public static byte[] puts(int commands) {
        byte[] one = putCommand();
        ByteArrayOutputStream out = new ByteArrayOutputStream(one.length * commands);
        for (int i = 0; i < commands; i++) {
            out.writeBytes(one);
        }
        return out.toByteArray();
    }

    /**
     * {@code commands / 3} cycles of put, reserve, delete (ids counting up from 1_000_000, the width of a
     * long-running broker's ids).
     */
    public static byte[] cycles(int commands) {
        byte[] put = putCommand();
        byte[] reserve = "reserve\r\n".getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < commands / 3; i++) {
            out.writeBytes(put);
            out.writeBytes(reserve);
            out.writeBytes(("delete " + (1_000_000 + i) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        }
        return out.toByteArray();
    }
}
