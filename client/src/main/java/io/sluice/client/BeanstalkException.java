package io.sluice.client;

/**
 * An error reply from the broker, one subclass per reply word, or a lost connection. Immutable; any thread.
 */
public class BeanstalkException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BeanstalkException(String message) {
        super(message);
    }

    public BeanstalkException(String message, Throwable cause) {
        super(message, cause);
    }

    /** {@code NOT_FOUND}: no such job, or not reserved by this connection. */
    public static final class NotFound extends BeanstalkException {
        private static final long serialVersionUID = 1L;

        public NotFound(String command) {
            super("NOT_FOUND (" + command + ")");
        }
    }

    /** {@code BURIED}: a put or release buried the job instead; {@link #id()} is the put's id or -1. */
    public static final class Buried extends BeanstalkException {
        private static final long serialVersionUID = 1L;
        private final long id;

        public Buried(long id) {
            super("BURIED" + (id >= 0 ? " " + id : ""));
            this.id = id;
        }

        public long id() {
            return id;
        }
    }

    /** {@code DEADLINE_SOON}: a job this connection holds is within a second of its TTR. */
    public static final class DeadlineSoon extends BeanstalkException {
        private static final long serialVersionUID = 1L;

        public DeadlineSoon() {
            super("DEADLINE_SOON");
        }
    }

    /** {@code NOT_IGNORED}: the last watched tube cannot be ignored. */
    public static final class NotIgnored extends BeanstalkException {
        private static final long serialVersionUID = 1L;

        public NotIgnored() {
            super("NOT_IGNORED");
        }
    }

    /** Any other error reply: EXPECTED_CRLF, JOB_TOO_BIG, DRAINING, OUT_OF_MEMORY, INTERNAL_ERROR, BAD_FORMAT, ... */
    public static final class ErrorReply extends BeanstalkException {
        private static final long serialVersionUID = 1L;
        private final String word;

        public ErrorReply(String word, String command) {
            super(word + " (" + command + ")");
            this.word = word;
        }

        /** The reply word, e.g. {@code JOB_TOO_BIG}. */
        public String word() {
            return word;
        }
    }

    /** The connection failed or closed; the command may or may not have been applied. */
    public static final class ConnectionLost extends BeanstalkException {
        private static final long serialVersionUID = 1L;

        public ConnectionLost(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
