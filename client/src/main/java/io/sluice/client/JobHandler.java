package io.sluice.client;

/**
 * Processes one job for a {@link Worker}. Returning normally means success: the job is deleted. Throwing means
 * failure: the job is released with a backoff delay, or buried once it has used up its attempts.
 *
 * <p>Runs on a handler thread of the worker, never on the connection thread, so it may take longer than the job's
 * TTR: the worker touches the job meanwhile. It may be called from several threads at once (one job each).
 *
 * <p>On Sluice, a job cancelled while it runs interrupts the handler's thread (see {@link Worker}): stop early if
 * you can; whatever the handler then returns or throws, the job is gone and is not retried.
 */
@FunctionalInterface
public interface JobHandler {
    void handle(Job job) throws Exception;
}
