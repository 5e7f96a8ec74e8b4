package io.sluice.client;

/** {@code INTERNAL_ERROR}: the broker failed internally (Sluice: {@code bury} on a full disk); the connection stays usable. */
public final class InternalErrorException extends BeanstalkException {
    private static final long serialVersionUID = 1L;

    public InternalErrorException(String message) {
        super(message);
    }
}
