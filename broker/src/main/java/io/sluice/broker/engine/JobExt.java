package io.sluice.broker.engine;

/**
 * The extension fields of a job put with {@code put-ex} (PROTOCOL.md §7). Plain beanstalkd jobs have none, so they
 * pay one null reference for all of this.
 *
 * <p>Thread rule: engine thread only.
 */
final class JobExt {
    static final IndexedHeap.Slot<Job> EXPIRY_SLOT = new IndexedHeap.Slot<>() {
        @Override
        public int get(Job e) {
            return e.ext().expirySlot;
        }

        @Override
        public void set(Job e, int index) {
            e.ext().expirySlot = index;
        }
    };

    /** Unique key, or null. */
    final String key;
    /** When the TTL ends (engine clock, ns), 0 without a TTL; and the same instant in wall-clock ms, for the log. */
    long expiresAt;
    long expiresAtWall;
    final boolean onExpireBury;
    /** Reserve limit; -1: the tube's. */
    final long maxReserves;
    /** A cancel arrived while the job was reserved; the worker learns at its next touch. */
    boolean cancelRequested;
    /** The TTL ended while the job was reserved: it expires when the reservation ends without a delete. */
    boolean expired;
    /** The TTL has ended and taken effect (the job was buried by it): job-state shows 0 ms left, not -1. */
    boolean ttlEnded;
    int expirySlot = -1;

    JobExt(String key, long expiresAt, long expiresAtWall, boolean onExpireBury, long maxReserves) {
        this.key = key;
        this.expiresAt = expiresAt;
        this.expiresAtWall = expiresAtWall;
        this.onExpireBury = onExpireBury;
        this.maxReserves = maxReserves;
    }
}
