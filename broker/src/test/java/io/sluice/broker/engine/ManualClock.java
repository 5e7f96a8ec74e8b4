package io.sluice.broker.engine;

/** A clock tests step by hand. Test thread only. */
final class ManualClock implements Clock {
    long nanos = 1_000_000_000_000L;
    long wall = 1_700_000_000_000L;

    @Override
    public long nanos() {
        return nanos;
    }

    @Override
    public long wallMillis() {
        return wall;
    }

    void advanceMillis(long ms) {
        nanos += ms * 1_000_000;
        wall += ms;
    }
}
