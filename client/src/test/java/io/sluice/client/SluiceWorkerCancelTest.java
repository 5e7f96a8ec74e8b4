package io.sluice.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * A job cancelled while a {@link Worker} runs it (Sluice only): the worker learns at its touch, release or bury,
 * interrupts the handler, reports {@link WorkerListener#onCancelled}, and neither deletes, retries nor buries it.
 */
class SluiceWorkerCancelTest extends BrokerTestBase {

    @Override
    TestServer startServer() throws Exception {
        return TestServer.sluice();
    }

    /** Every listener event as a line. */
    static final class Events implements WorkerListener {
        final List<String> events = new CopyOnWriteArrayList<>();
        final List<Throwable> errors = new CopyOnWriteArrayList<>();

        @Override
        public void onReserved(String tube, Job job, int attempt) {
            events.add("reserved " + job.id());
        }

        @Override
        public void onSuccess(String tube, Job job, Duration elapsed) {
            events.add("success " + job.id());
        }

        @Override
        public void onFailure(String tube, Job job, int attempt, Throwable error, Duration retryDelay) {
            events.add("failure " + job.id());
        }

        @Override
        public void onBuried(String tube, Job job, int attempt, Throwable error) {
            events.add("buried " + job.id());
        }

        @Override
        public void onCancelled(String tube, Job job) {
            events.add("cancelled " + job.id());
        }

        @Override
        public void onError(Throwable error) {
            errors.add(error);
        }
    }

    private Worker worker(JobHandler handler, Events events, int maxAttempts) {
        return track(Worker.builder(server.config()).handle(tube, handler).listener(events).maxAttempts(maxAttempts)
                .retryBackoff(Duration.ZERO, Duration.ZERO).start());
    }

    @Test
    void aCancelSeenAtTheTouchInterruptsTheHandlerAndTheJobIsNotDeleted() throws Exception {
        BeanstalkClient producer = connect();
        producer.use(tube);
        Events events = new Events();
        CountDownLatch running = new CountDownLatch(1);
        List<String> handlerSaw = new CopyOnWriteArrayList<>();
        worker(job -> {
            if (job.bodyAsString().equals("long")) {
                running.countDown();
                try {
                    Thread.sleep(30_000);
                    handlerSaw.add("slept");
                } catch (InterruptedException e) {
                    handlerSaw.add("interrupted");
                    throw e;
                }
            } else {
                handlerSaw.add("next job, interrupted: " + Thread.currentThread().isInterrupted());
                Thread.sleep(10); // would throw if the cancel's interrupt had leaked to this job
            }
        }, events, 5);
        long id = producer.put(0, Duration.ZERO, Duration.ofSeconds(2), "long".getBytes(UTF_8)); // touched every 1 s
        assertTrue(running.await(5, TimeUnit.SECONDS));
        long t0 = System.nanoTime();
        assertEquals(Cancellation.CANCELLING, producer.cancel(id));
        WorkerContract.await("onCancelled", Duration.ofSeconds(5), () -> events.events.contains("cancelled " + id));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(ms < 2500, "learned at the next touch, within TTR/2: " + ms + " ms");
        assertEquals(List.of("interrupted"), handlerSaw);
        assertEquals(List.of("reserved " + id, "cancelled " + id), events.events);
        assertEquals(JobState.State.CANCELLED, producer.jobState(id).orElseThrow().state(), "not completed");
        assertEquals(List.of(), events.errors);

        long next = producer.put("next".getBytes(UTF_8));
        WorkerContract.await("the next job", Duration.ofSeconds(5), () -> events.events.contains("success " + next));
        assertEquals(List.of("interrupted", "next job, interrupted: false"), handlerSaw);
    }

    @Test
    void aHandlerThatFailsAfterTheCancelIsNotRetried() throws Exception {
        BeanstalkClient producer = connect();
        producer.use(tube);
        Events events = new Events();
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch cancelled = new CountDownLatch(1);
        worker(job -> {
            running.countDown();
            cancelled.await();
            throw new IllegalStateException("failed after the cancel");
        }, events, 5);
        // TTR 60 s: no touch before the handler ends, so the worker learns from its release
        long id = producer.put(0, Duration.ZERO, Duration.ofSeconds(60), "r".getBytes(UTF_8));
        assertTrue(running.await(5, TimeUnit.SECONDS));
        assertEquals(Cancellation.CANCELLING, producer.cancel(id));
        cancelled.countDown();
        WorkerContract.await("onCancelled", Duration.ofSeconds(5), () -> events.events.contains("cancelled " + id));
        assertEquals(List.of("reserved " + id, "cancelled " + id), events.events, "no failure, no retry");
        assertEquals(JobState.State.CANCELLED, producer.jobState(id).orElseThrow().state());
        assertEquals(List.of(), events.errors);
    }

    @Test
    void aHandlerThatFailsItsLastAttemptAfterTheCancelIsNotBuried() throws Exception {
        BeanstalkClient producer = connect();
        producer.use(tube);
        Events events = new Events();
        CountDownLatch cancelled = new CountDownLatch(1);
        worker(job -> {
            cancelled.await();
            throw new IllegalStateException("failed after the cancel");
        }, events, 1);
        long id = producer.put(0, Duration.ZERO, Duration.ofSeconds(60), "b".getBytes(UTF_8));
        WorkerContract.await("reserved", Duration.ofSeconds(5), () -> events.events.contains("reserved " + id));
        assertEquals(Cancellation.CANCELLING, producer.cancel(id));
        cancelled.countDown();
        WorkerContract.await("onCancelled", Duration.ofSeconds(5), () -> events.events.contains("cancelled " + id));
        assertEquals(List.of("reserved " + id, "cancelled " + id), events.events, "bury answered CANCELLED");
        assertEquals(JobState.State.CANCELLED, producer.jobState(id).orElseThrow().state());
    }

    @Test
    void aHandlerThatSucceedsBeforeTheWorkerLearnsCompletesTheJob() throws Exception {
        BeanstalkClient producer = connect();
        producer.use(tube);
        Events events = new Events();
        CountDownLatch cancelled = new CountDownLatch(1);
        worker(job -> cancelled.await(), events, 5);
        long id = producer.put(0, Duration.ZERO, Duration.ofSeconds(60), "s".getBytes(UTF_8));
        WorkerContract.await("reserved", Duration.ofSeconds(5), () -> events.events.contains("reserved " + id));
        assertEquals(Cancellation.CANCELLING, producer.cancel(id));
        cancelled.countDown();
        WorkerContract.await("success", Duration.ofSeconds(5), () -> events.events.contains("success " + id));
        assertEquals(JobState.State.COMPLETED, producer.jobState(id).orElseThrow().state(), "the work was done");
        assertFalse(events.events.contains("cancelled " + id));
    }

    /** A release the broker answers BURIED (the tube's reserve limit, PROTOCOL.md §7.7) is reported as a bury. */
    @Test
    void aReleaseBuriedByTheReserveLimitIsReportedAsBuried() throws Exception {
        BeanstalkClient producer = connect();
        producer.use(tube);
        producer.setTubeMaxReserves(tube, 1);
        Events events = new Events();
        worker(job -> {
            throw new IllegalStateException("always fails");
        }, events, 5);
        long id = producer.put("f".getBytes(UTF_8));
        WorkerContract.await("onBuried", Duration.ofSeconds(5), () -> events.events.contains("buried " + id));
        assertEquals(List.of("reserved " + id, "buried " + id), events.events);
        assertEquals(JobState.State.BURIED, producer.jobState(id).orElseThrow().state());
        assertEquals(List.of(), events.errors);
        producer.setTubeMaxReserves(tube, 0);
    }
}
