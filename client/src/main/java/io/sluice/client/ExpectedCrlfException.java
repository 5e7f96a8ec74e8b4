package io.sluice.client;

/** {@code EXPECTED_CRLF}: a job body was not followed by CRLF. */
public final class ExpectedCrlfException extends BeanstalkException {
    private static final long serialVersionUID = 1L;

    public ExpectedCrlfException(String message) {
        super(message);
    }
}
