package io.sluice.client;

/** {@code DEADLINE_SOON}: a job this connection holds reaches its TTR within the 1 s safety margin; touch, delete, release or bury it. */
public final class DeadlineSoonException extends BeanstalkException {
    private static final long serialVersionUID = 1L;

    public DeadlineSoonException(String message) {
        super(message);
    }
}
