package io.sluice.broker.protocol;

/** beanstalkd's wire limits, kept identical so that clients tuned to beanstalkd see the same edges. Any thread. */
public final class ProtocolLimits {
    /**
     * Longest command line including its CRLF: beanstalkd's {@code LINE_BUF_SIZE = 11 + 201 + 12}, sized for
     * {@code pause-tube <200 chars> 4294967295\r\n}.
     */
    public static final int MAX_LINE = 224;
    /** Tube names are 1..200 bytes. */
    public static final int MAX_TUBE_NAME = 200;
    /** Default {@code -z}: 2^16 - 1. */
    public static final int DEFAULT_MAX_JOB_SIZE = 65_535;
    /** beanstalkd clamps {@code -z} to 1 GiB. */
    public static final int MAX_MAX_JOB_SIZE = 1_073_741_824;
    /** Jobs with a priority below this count as urgent in stats. */
    public static final long URGENT_THRESHOLD = 1024;
    /** u32 maximum for priorities and second counts. */
    public static final long U32_MAX = 0xFFFF_FFFFL;

    private ProtocolLimits() {
    }
}
