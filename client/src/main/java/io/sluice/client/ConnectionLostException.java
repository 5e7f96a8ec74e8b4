package io.sluice.client;

/**
 * The broker could not be reached, or the connection broke (or a reply did not arrive within the read timeout)
 * while a command was on it. The command may or may not have been applied by the broker: it is never re-sent. The
 * next call on the client reconnects.
 */
public final class ConnectionLostException extends BeanstalkException {
    private static final long serialVersionUID = 1L;

    public ConnectionLostException(String message) {
        super(message);
    }

    public ConnectionLostException(String message, Throwable cause) {
        super(message, cause);
    }
}
