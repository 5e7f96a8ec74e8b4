package io.sluice.client;

import java.time.Duration;

/**
 * Hooks for logging and metrics, called by a {@link Worker}'s connection threads (concurrently from several).
 * Every method has an empty default; an exception thrown by one is ignored.
 */
public interface WorkerListener {

    /** A job was reserved and is about to be handed to its handler. {@code attempt} is its reserve count, from 1. */
    default void onReserved(String tube, Job job, int attempt) {
    }

    /** A running job was touched so its TTR starts again. */
    default void onTouched(String tube, Job job) {
    }

    /** The handler returned and the job was deleted. */
    default void onSuccess(String tube, Job job, Duration elapsed) {
    }

    /** The handler threw and the job was released, to be ready again after {@code retryDelay}. */
    default void onFailure(String tube, Job job, int attempt, Throwable error, Duration retryDelay) {
    }

    /** The handler threw on the job's last allowed attempt and the job was buried. */
    default void onBuried(String tube, Job job, int attempt, Throwable error) {
    }

    /**
     * (Sluice) The job was cancelled while it ran: a touch, release or bury was answered {@code CANCELLED}. The
     * handler was interrupted if still running; the job is gone and was neither deleted, released nor buried.
     */
    default void onCancelled(String tube, Job job) {
    }

    /** Anything else that went wrong: a lost connection, a job that vanished, a failed touch or delete. */
    default void onError(Throwable error) {
    }
}
