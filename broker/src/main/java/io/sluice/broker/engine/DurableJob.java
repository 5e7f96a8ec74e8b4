package io.sluice.broker.engine;

/**
 * A job of a broker with a log: a {@link Job} anchored in the segment of its latest record (the same fields as
 * {@link AnchoredRecord}, which a job cannot extend). 88 bytes; an in-memory job is 72.
 *
 * <p>Thread rule: engine thread only.
 */
final class DurableJob extends Job implements Anchored {
    private Journal.Segment anchor;
    private int anchorBytes;
    private Anchored segPrev;
    private Anchored segNext;

    DurableJob(long id, Tube tube, long pri, long delay, long ttr, byte[] body, long createdAt) {
        super(id, tube, pri, delay, ttr, body, createdAt);
    }

    @Override
    public Journal.Segment anchor() {
        return anchor;
    }

    @Override
    public int anchorBytes() {
        return anchorBytes;
    }

    @Override
    public void anchor(Journal.Segment segment, int bytes) {
        anchor = segment;
        anchorBytes = bytes;
    }

    @Override
    public Anchored segPrev() {
        return segPrev;
    }

    @Override
    public void segPrev(Anchored a) {
        segPrev = a;
    }

    @Override
    public Anchored segNext() {
        return segNext;
    }

    @Override
    public void segNext(Anchored a) {
        segNext = a;
    }
}
