package io.sluice.broker.log;

/**
 * A tube's settings (TUBE): the reserve limit (0: none, which also removes the setting).
 *
 * <p>Thread rule: immutable; any thread.
 */
public record TubeRecord(String tube, long maxReserves) { }
