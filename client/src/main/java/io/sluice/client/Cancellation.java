package io.sluice.client;

/**
 * The reply to {@code cancel} / {@code cancel-key} (PROTOCOL.md §7.4) when the job was live. Immutable; any thread.
 */
public enum Cancellation {
    /** The job was ready, delayed or buried and is gone (finished state {@code cancelled}). */
    CANCELLED,
    /**
     * The job is reserved: it is marked, and its worker learns at its next {@code touch}, {@code release} or
     * {@code bury} (answered {@code CANCELLED}, see {@link CancelledException}). If the worker deletes it first,
     * the work was done and the job ends {@code completed}.
     */
    CANCELLING
}
