package io.sluice.broker.engine;

/**
 * Monotonic time source in nanoseconds. Injected so that engine tests step time by hand.
 *
 * <p>Thread rule: implementations must be safe to call from the engine thread; {@link #SYSTEM} is thread-safe.
 */
@FunctionalInterface
public interface Clock {
    long nanos();

    /** Wall-clock milliseconds, for what the log must carry across restarts (a delayed job's ready time). */
    default long wallMillis() {
        return System.currentTimeMillis();
    }

    Clock SYSTEM = System::nanoTime;
}
