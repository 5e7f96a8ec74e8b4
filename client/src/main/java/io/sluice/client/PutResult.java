package io.sluice.client;

/**
 * The reply to a put with {@link PutOptions}: {@code INSERTED <id>} (a new job) or {@code EXISTS <id>} (a live job,
 * or a finished one the broker still retains, already had the key: nothing was created). Immutable; any thread.
 *
 * @param id      the new job's id, or the id of the job that holds the key
 * @param created true for {@code INSERTED}, false for {@code EXISTS}
 */
public record PutResult(long id, boolean created) {

    /** Whether the key was taken ({@code EXISTS}): a retried put whose first reply was lost lands here. */
    public boolean existed() {
        return !created;
    }

    @Override
    public String toString() {
        return (created ? "INSERTED " : "EXISTS ") + Long.toUnsignedString(id);
    }
}
