package io.sluice.client;

/**
 * {@code CANCELLED} in answer to {@code touch}, {@code release} or {@code bury} (Sluice, PROTOCOL.md §7.4): the job
 * this connection holds was cancelled by someone else while reserved. The job is gone (finished state
 * {@code cancelled}): do not retry it, and stop working on it if you can. Only a Sluice broker sends this.
 *
 * <p>Thread rule: immutable; any thread.
 */
public final class CancelledException extends BeanstalkException {
    private static final long serialVersionUID = 1L;
    private final long id;

    public CancelledException(String message, long id) {
        super(message);
        this.id = id;
    }

    /** The cancelled job's id (-1 if the reply did not belong to a command about one job). */
    public long id() {
        return id;
    }
}
