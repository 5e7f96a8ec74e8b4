package io.sluice.client;

/** {@code DRAINING}: the broker is in drain mode and refuses every {@code put}. */
public final class DrainingException extends BeanstalkException {
    private static final long serialVersionUID = 1L;

    public DrainingException(String message) {
        super(message);
    }
}
