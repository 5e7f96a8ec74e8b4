package io.sluice.broker;

import io.sluice.broker.config.BrokerConfig;
import io.sluice.broker.config.ConfigLoader;

import java.util.concurrent.CountDownLatch;

/**
 * {@code sluiced}: parse settings, start the broker, wire signals. SIGTERM / SIGINT stop it gracefully (stop
 * accepting, close connections, stop the engine); SIGUSR1 enters drain mode, as in beanstalkd.
 *
 * <p>Thread rule: the main thread; signal handlers run on JVM signal threads and only post to the broker.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws Exception {
        BrokerConfig config;
        try {
            config = ConfigLoader.load(args, Broker.VERSION, System.getenv("SLUICE_DEFAULT_DATA_DIR"));
        } catch (ConfigLoader.ExitRequest e) {
            System.out.println(e.getMessage());
            return;
        } catch (IllegalArgumentException e) {
            System.err.println("sluiced: " + e.getMessage());
            System.exit(5); // beanstalkd's exit code for a bad flag
            return;
        }
        Broker broker;
        try {
            broker = Broker.start(config);
        } catch (Broker.ListenException e) {
            System.err.println("sluiced: cannot listen on " + config.listen() + ":" + config.port() + ": "
                    + e.getMessage());
            System.exit(111); // beanstalkd's exit code for socket setup failure
            return;
        } catch (io.sluice.broker.log.Recovery.CorruptLogException e) {
            System.err.println("sluiced: refusing to start: the log is damaged: " + e.getMessage());
            System.exit(1);
            return;
        } catch (java.io.IOException e) {
            System.err.println("sluiced: cannot use data directory " + config.dataDir() + ": " + e.getMessage());
            System.exit(e.getMessage() != null && e.getMessage().contains("locked") ? 10 : 1); // 10: beanstalkd's
            return;
        } catch (Exception e) {
            System.err.println("sluiced: cannot listen on " + config.listen() + ":" + config.port() + ": "
                    + e.getMessage());
            System.exit(111); // beanstalkd's exit code for socket setup failure
            return;
        }
        if (broker.recoverySummary() != null) {
            System.err.println("sluiced: " + broker.recoverySummary());
        }
        for (String w : broker.recoveryWarnings()) {
            System.err.println("sluiced: WARNING: recovery: " + w);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                broker.close();
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            stopped.countDown();
        }, "sluice-shutdown"));
        installDrainSignal(broker);
        IdleHeapTrim.startDaemon();
        System.err.println("sluiced " + Broker.VERSION + ": listening on " + broker.address().getHostString() + ":"
                + broker.port() + " (" + (config.dataDir() == null ? "in memory" : "log in " + config.dataDir()
                + ", fsync " + config.fsyncPolicy()) + "; max job size " + config.maxJobSize() + ")");
        stopped.await();
    }

    @SuppressWarnings("removal")
    private static void installDrainSignal(Broker broker) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("USR1"), sig -> {
                System.err.println("sluiced: SIGUSR1: entering drain mode");
                broker.drain();
            });
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            System.err.println("sluiced: SIGUSR1 drain mode unavailable: " + e.getMessage());
        }
    }
}
