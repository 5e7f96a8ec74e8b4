package io.sluice.client;

/** {@code NOT_IGNORED}: the tube is the only one watched and cannot be ignored. */
public final class NotIgnoredException extends BeanstalkException {
    private static final long serialVersionUID = 1L;

    public NotIgnoredException(String message) {
        super(message);
    }
}
