package io.sluice.client;

/** {@code UNKNOWN_COMMAND}: the broker does not know the command. */
public final class UnknownCommandException extends BeanstalkException {
    private static final long serialVersionUID = 1L;

    public UnknownCommandException(String message) {
        super(message);
    }
}
