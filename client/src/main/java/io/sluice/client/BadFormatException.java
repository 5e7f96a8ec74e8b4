package io.sluice.client;

/** {@code BAD_FORMAT}: the broker rejected the command line (e.g. an invalid tube name). */
public final class BadFormatException extends BeanstalkException {
    private static final long serialVersionUID = 1L;

    public BadFormatException(String message) {
        super(message);
    }
}
