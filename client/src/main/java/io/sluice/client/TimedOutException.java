package io.sluice.client;

/** {@code TIMED_OUT} to a plain {@code reserve} (beanstalkd sends it when the client half-closes while waiting); {@code reserve(Duration)} reports a timeout as an empty {@code Optional} instead. */
public final class TimedOutException extends BeanstalkException {
    private static final long serialVersionUID = 1L;

    public TimedOutException(String message) {
        super(message);
    }
}
