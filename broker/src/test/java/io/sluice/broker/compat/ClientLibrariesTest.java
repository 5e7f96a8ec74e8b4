package io.sluice.broker.compat;

import io.sluice.broker.Broker;
import io.sluice.broker.config.BrokerConfig;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real beanstalkd client libraries (Node fivebeans and jackd, Ruby beaneater, PHP pheanstalk), unchanged, against a
 * Sluice broker: {@code compat/clients/run.sh}. The interpreters come from {@code compat/clients/install-deps.sh},
 * which {@code .ci/run} calls; on a machine without them this test is skipped with the reason.
 */
class ClientLibrariesTest {

    @Test
    void popularClientLibrariesWorkUnchanged() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        Path script = root.resolve("compat/clients/run.sh");
        assertTrue(Files.exists(script), "missing " + script);
        for (String tool : new String[] {"node", "npm", "ruby", "php"}) {
            Assumptions.assumeTrue(onPath(tool), tool + " is not installed: run compat/clients/install-deps.sh");
        }
        try (Broker broker = Broker.start(BrokerConfig.defaults().withPort(0))) {
            Process p = new ProcessBuilder("bash", script.toString(), "127.0.0.1", Integer.toString(broker.port()))
                    .directory(root.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(5, TimeUnit.MINUTES), "client suite hung:\n" + out);
            System.out.println(out);
            assertEquals(0, p.exitValue(), out);
        }
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
