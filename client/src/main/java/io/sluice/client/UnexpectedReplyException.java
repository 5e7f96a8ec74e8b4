package io.sluice.client;

/** A reply that is not valid for the command sent (a client or broker bug, or not a beanstalkd server). */
public final class UnexpectedReplyException extends BeanstalkException {
    private static final long serialVersionUID = 1L;

    public UnexpectedReplyException(String message) {
        super(message);
    }
}
