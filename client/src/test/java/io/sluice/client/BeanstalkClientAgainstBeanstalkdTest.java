package io.sluice.client;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

/** The same tests against the real beanstalkd 1.12, when installed: the client speaks the protocol, not Sluice. */
final class BeanstalkClientAgainstBeanstalkdTest extends BeanstalkClientTest {
    private Process beanstalkd;

    @BeforeEach
    @Override
    void start() throws Exception {
        Path bin = Path.of("/usr/bin/beanstalkd");
        Assumptions.assumeTrue(Files.isExecutable(bin), "beanstalkd is not installed");
        super.start(); // a Sluice broker too, so aGoneBrokerIsAConnectionLostError has one to stop
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        beanstalkd = new ProcessBuilder(bin.toString(), "-l", "127.0.0.1", "-p", Integer.toString(port),
                "-z", "65535").start();
        for (int i = 0; i < 100; i++) {
            if (Files.readString(Path.of("/proc/net/tcp")).contains(String.format(":%04X 00000000:0000 0A",
                    port))) {
                return;
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("beanstalkd did not start");
    }

    @AfterEach
    @Override
    void stop() throws Exception {
        if (beanstalkd != null) {
            beanstalkd.destroy();
            beanstalkd.waitFor();
        }
        super.stop();
    }

    @Test
    @Override
    void aGoneBrokerIsAConnectionLostError() {
        // covered against Sluice; stopping beanstalkd mid-test adds nothing
    }
}
