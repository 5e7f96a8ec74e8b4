package io.sluice.broker.config;

/**
 * When the log is forced to disk. {@code ALWAYS}: before any reply that acknowledges a change (beanstalkd
 * {@code -f 0}, Redis {@code appendfsync always}); {@code INTERVAL}: at most every {@code intervalMs}, replies do
 * not wait (loss window: that interval); {@code NEVER}: the OS decides (beanstalkd {@code -F}).
 *
 * <p>Thread rule: immutable; any thread.
 */
public record FsyncPolicy(Kind kind, long intervalMs) {
    public enum Kind { ALWAYS, INTERVAL, NEVER }

    public static final FsyncPolicy ALWAYS = new FsyncPolicy(Kind.ALWAYS, 0);
    public static final FsyncPolicy NEVER = new FsyncPolicy(Kind.NEVER, 0);

    public static FsyncPolicy of(long fsyncMs, boolean never) {
        if (never) {
            return NEVER;
        }
        return fsyncMs == 0 ? ALWAYS : new FsyncPolicy(Kind.INTERVAL, fsyncMs);
    }

    /** Whether replies must wait for the records they acknowledge to be on disk. */
    public boolean holdsReplies() {
        return kind == Kind.ALWAYS;
    }

    @Override
    public String toString() {
        return kind == Kind.INTERVAL ? "interval " + intervalMs + " ms" : kind.name().toLowerCase();
    }
}
