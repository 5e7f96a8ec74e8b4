package io.sluice.broker.engine;

/**
 * A tube's durable settings, kept by name whether or not the tube exists at the moment (beanstalkd's tubes come
 * and go with their references; a setting must not).
 *
 * <p>Thread rule: engine thread only.
 */
final class TubeSettings extends AnchoredRecord {
    final String tube;
    /** Reserve limit (PROTOCOL.md §7.7); 0: none. */
    long maxReserves;

    TubeSettings(String tube, long maxReserves) {
        this.tube = tube;
        this.maxReserves = maxReserves;
    }
}
