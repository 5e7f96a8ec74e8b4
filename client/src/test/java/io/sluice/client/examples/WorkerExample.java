package io.sluice.client.examples;

import io.sluice.client.ClientConfig;
import io.sluice.client.Job;
import io.sluice.client.Worker;
import io.sluice.client.WorkerListener;

import java.time.Duration;

/** Handles the {@code emails} tube until SIGTERM or Ctrl-C. Usage: {@code WorkerExample [port]}. */
public final class WorkerExample {
    public static void main(String[] args) throws InterruptedException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 11300;
        Worker worker = Worker.builder(ClientConfig.builder().host("127.0.0.1").port(port).build())
                .handle("emails", job -> System.out.println("sending to " + job.bodyAsString()))
                .concurrency(4)                                            // 4 connections, 4 jobs at once
                .maxAttempts(5)                                            // then bury
                .retryBackoff(Duration.ofSeconds(1), Duration.ofMinutes(5)) // 1 s, 2 s, 4 s, ...
                .listener(new WorkerListener() {
                    @Override
                    public void onFailure(String tube, Job job, int attempt, Throwable error, Duration retry) {
                        System.err.println("job " + job.id() + " failed (attempt " + attempt + "), retry in "
                                + retry + ": " + error);
                    }

                    @Override
                    public void onBuried(String tube, Job job, int attempt, Throwable error) {
                        System.err.println("job " + job.id() + " buried after " + attempt + " attempts: " + error);
                    }
                })
                .start();
        worker.installShutdownHook(); // SIGTERM / SIGINT: stop reserving, finish in-flight jobs, close
        System.out.println("worker started");
        worker.awaitTermination();
    }
}
