package io.sluice.client;

/**
 * Base of every failure the client reports: an error reply from the broker (one subclass per reply word), a lost
 * connection ({@link ConnectionLostException}) or a reply the client did not expect
 * ({@link UnexpectedReplyException}). Unchecked, so handlers and futures can carry it without wrapping.
 */
public class BeanstalkException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BeanstalkException(String message) {
        super(message);
    }

    public BeanstalkException(String message, Throwable cause) {
        super(message, cause);
    }
}
