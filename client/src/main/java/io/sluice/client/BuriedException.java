package io.sluice.client;

/**
 * {@code BURIED <id>} to a {@code put}, or {@code BURIED} to a {@code release}: the broker could not grow its ready
 * or delayed queue and buried the job instead (beanstalkd does this when memory runs out; Sluice never does).
 */
public final class BuriedException extends BeanstalkException {
    private static final long serialVersionUID = 1L;
    private final long id;

    public BuriedException(String message, long id) {
        super(message);
        this.id = id;
    }

    /** The buried job's id: from the reply for {@code put}, the released job's for {@code release}. */
    public long id() {
        return id;
    }
}
