package io.sluice.broker.engine;

/**
 * Something the durable log keeps alive: a job, a retained finished job, a schedule or a tube setting. It is
 * "anchored" in the segment holding its latest full record; compaction re-writes what is anchored in the oldest
 * segment before deleting it (see {@link Journal}). Implemented by {@link AnchoredRecord} and, for the jobs of a
 * broker with a log, {@link DurableJob}: an in-memory broker's jobs go without these 16 bytes.
 *
 * <p>Thread rule: engine thread only.
 */
interface Anchored {
    /** The segment holding this object's latest full record, or null. */
    Journal.Segment anchor();

    /** That record's size. */
    int anchorBytes();

    void anchor(Journal.Segment segment, int bytes);

    /** Links in the segment's list of anchored objects. */
    Anchored segPrev();

    void segPrev(Anchored a);

    Anchored segNext();

    void segNext(Anchored a);
}
