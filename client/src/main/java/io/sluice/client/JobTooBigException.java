package io.sluice.client;

/** {@code JOB_TOO_BIG}: the body is larger than the broker's {@code max-job-size}. */
public final class JobTooBigException extends BeanstalkException {
    private static final long serialVersionUID = 1L;

    public JobTooBigException(String message) {
        super(message);
    }
}
