package io.sluice.client;

/** {@code OUT_OF_MEMORY}: the broker could not store the change (Sluice: the disk is full); nothing changed. */
public final class OutOfMemoryException extends BeanstalkException {
    private static final long serialVersionUID = 1L;

    public OutOfMemoryException(String message) {
        super(message);
    }
}
