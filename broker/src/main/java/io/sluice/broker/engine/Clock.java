package io.sluice.broker.engine;

/**
 * Monotonic time source in nanoseconds. Injected so that engine tests step time by hand.
 *
 * <p>Thread rule: implementations must be safe to call from the engine thread; {@link #SYSTEM} is thread-safe.
 */
@FunctionalInterface
public interface Clock {
    long nanos();

    Clock SYSTEM = System::nanoTime;
}
