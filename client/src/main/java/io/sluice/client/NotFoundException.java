package io.sluice.client;

/** {@code NOT_FOUND}: no such job (or reserved by another connection), or no such tube. */
public final class NotFoundException extends BeanstalkException {
    private static final long serialVersionUID = 1L;

    public NotFoundException(String message) {
        super(message);
    }
}
