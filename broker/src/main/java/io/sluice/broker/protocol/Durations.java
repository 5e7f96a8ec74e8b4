package io.sluice.broker.protocol;

import java.nio.charset.StandardCharsets;

/**
 * The extensions' duration syntax (PROTOCOL.md §7.1): {@code <n>[ms|s|m|h|d]}, no unit meaning seconds as in
 * beanstalkd.
 *
 * <p>Thread rule: stateless; any thread.
 */
public final class Durations {
    private Durations() {
    }

    /** A duration token {@code b[from, to)} in nanoseconds, or -1; at most 2^32-1 seconds. */
    public static long parse(byte[] b, int from, int to) {
        int i = from;
        long v = 0;
        while (i < to && b[i] >= '0' && b[i] <= '9') {
            v = v * 10 + (b[i] - '0');
            if (v > ProtocolLimits.U32_MAX * 1000) {
                return -1;
            }
            i++;
        }
        if (i == from) {
            return -1;
        }
        String unit = new String(b, i, to - i, StandardCharsets.ISO_8859_1);
        long factor; // ms per unit
        switch (unit) {
            case "ms":
                factor = 1;
                break;
            case "":
            case "s":
                factor = 1000;
                break;
            case "m":
                factor = 60_000;
                break;
            case "h":
                factor = 3_600_000;
                break;
            case "d":
                factor = 86_400_000;
                break;
            default:
                return -1;
        }
        if (v > ProtocolLimits.U32_MAX * 1000 / factor) {
            return -1;
        }
        long ms = v * factor;
        return ms * 1_000_000L;
    }
}
