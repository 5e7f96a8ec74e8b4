package io.sluice.broker.engine;

/**
 * A job that finished, remembered for the retention time: what {@code job-state} answers for it, and what keeps
 * its key taken.
 *
 * <p>Thread rule: engine thread only.
 */
final class Finished extends AnchoredRecord {
    final long id;
    final String key;
    final String tube;
    final FinishKind kind;
    /** Wall-clock ms. */
    final long finishedAt;

    Finished(long id, String key, String tube, FinishKind kind, long finishedAt) {
        this.id = id;
        this.key = key;
        this.tube = tube;
        this.kind = kind;
        this.finishedAt = finishedAt;
    }
}
