package io.sluice.client.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.broker.Broker;
import io.sluice.broker.config.BrokerConfig;
import io.sluice.client.BeanstalkClient;
import io.sluice.client.TubeStats;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * Runs the README examples as written: the producer and the extensions example in this JVM, the worker as its own
 * JVM, stopped with SIGTERM (its shutdown hook must close it gracefully); and checks the README shows them verbatim.
 */
class ExamplesTest {

    @Test
    void producerThenWorkerProcessStoppedBySigterm() throws Exception {
        Broker broker = Broker.start(BrokerConfig.defaults().withPort(0));
        try (BeanstalkClient observer = BeanstalkClient.connect("127.0.0.1", broker.port())) {
            String out = captureStdout(() -> ProducerExample.main(new String[] {Integer.toString(broker.port())}));
            assertEquals("queued job 1 for ada@example.com\nqueued job 2 for alan@example.com\n", out);
            assertEquals(2, observer.statsTube("emails").currentJobsReady());
            observer.watch("emails"); // keeps the tube alive once the worker is gone

            Process worker = startJvm(WorkerExample.class, Integer.toString(broker.port()));
            try {
                BlockingQueue<String> lines = new LinkedBlockingQueue<>();
                Thread pump = new Thread(() -> {
                    try (BufferedReader r = new BufferedReader(new InputStreamReader(worker.getInputStream(),
                            StandardCharsets.UTF_8))) {
                        String l;
                        while ((l = r.readLine()) != null) {
                            lines.add(l);
                        }
                    } catch (java.io.IOException ignored) {
                        // process gone
                    }
                });
                pump.setDaemon(true);
                pump.start();
                List<String> seen = new ArrayList<>();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (seen.stream().filter(l -> l.startsWith("sending to ")).count() < 2) {
                    String l = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                    assertTrue(l != null, "worker output so far: " + seen);
                    seen.add(l);
                }
                assertTrue(seen.contains("sending to ada@example.com"), seen.toString());
                assertTrue(seen.contains("sending to alan@example.com"), seen.toString());
                awaitDeleted(observer);
                assertEquals(1 + 4, observer.statsTube("emails").currentWatching());

                worker.destroy(); // SIGTERM
                assertTrue(worker.waitFor(10, TimeUnit.SECONDS), "the worker should exit on SIGTERM");
                assertEquals(143, worker.exitValue());
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                while (observer.statsTube("emails").currentWatching() > 1 && System.nanoTime() < until) {
                    Thread.sleep(10);
                }
                assertEquals(1, observer.statsTube("emails").currentWatching(), "the worker's connections closed");
            } finally {
                worker.destroyForcibly();
            }
        } finally {
            broker.close();
        }
    }

    @Test
    void extensionsExample() throws Exception {
        Broker broker = Broker.start(BrokerConfig.defaults().withPort(0));
        try {
            String out = captureStdout(() -> ExtensionsExample.main(new String[] {Integer.toString(broker.port())}));
            assertEquals("job 1 created\nretry: job 1 already there\nstate: ready, ttl left under 30 min: true\n"
                    + "cancel: CANCELLED\nstate: cancelled\n", out);
        } finally {
            broker.close();
        }
    }

    /** The README shows each example exactly as compiled and run here. */
    @Test
    void readmeShowsTheExamplesAsTheyAre() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        for (Class<?> example : List.of(ProducerExample.class, WorkerExample.class, ExtensionsExample.class)) {
            Path source = Path.of("src", "test", "java", "io", "sluice", "client", "examples",
                    example.getSimpleName() + ".java");
            assertTrue(readme.contains("```java\n" + Files.readString(source) + "```\n"),
                    "README.md does not show " + source + " as it is");
        }
    }

    private static void awaitDeleted(BeanstalkClient observer) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        TubeStats s;
        while ((s = observer.statsTube("emails")).cmdDelete() < 2) {
            assertTrue(System.nanoTime() < deadline, "jobs not deleted: " + s);
            Thread.sleep(10);
        }
        assertEquals(0, s.currentJobsReady());
        assertEquals(0, s.currentJobsReserved());
    }

    private static Process startJvm(Class<?> main, String... args) throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = codeSource(main) + java.io.File.pathSeparator + codeSource(BeanstalkClient.class);
        List<String> cmd = new ArrayList<>(List.of(javaBin, "-cp", cp, main.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static String codeSource(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    private static String captureStdout(Runnable r) {
        PrintStream original = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setOut(original);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }
}
