package io.sluice.broker.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Defaults, then the file, then flags; beanstalkd's flag spellings; a clear message for every bad setting. */
class ConfigLoaderTest {
    @TempDir
    Path tmp;

    @Test
    void defaultsAreLoopbackPort11300AndBeanstalkdsJobSize() {
        BrokerConfig c = ConfigLoader.load(new String[0], "v", null);
        assertEquals("127.0.0.1", c.listen());
        assertEquals(11300, c.port());
        assertEquals(65535, c.maxJobSize());
        assertNull(c.dataDir());
        assertEquals(FsyncPolicy.ALWAYS, c.fsyncPolicy());
    }

    @Test
    void beanstalkdStyleFlagsIncludingClusteredAndAttachedForms() {
        BrokerConfig c = ConfigLoader.load(new String[] {"-l", "0.0.0.0", "-p11301", "-z", "1000", "-VV", "-f0",
            "-s", "8192"}, "v", "/default");
        assertEquals("0.0.0.0", c.listen());
        assertEquals(11301, c.port());
        assertEquals(1000, c.maxJobSize());
        assertEquals(2, c.verbose());
        assertEquals("/default", c.dataDir());
        assertEquals(8192, c.segmentSize());
        assertEquals(FsyncPolicy.NEVER, ConfigLoader.load(new String[] {"-F"}, "v", null).fsyncPolicy());
        assertEquals(FsyncPolicy.Kind.INTERVAL, ConfigLoader.load(new String[] {"-f", "50"}, "v", null)
                .fsyncPolicy().kind());
        assertNull(ConfigLoader.load(new String[] {"--in-memory"}, "v", "/default").dataDir());
    }

    @Test
    void flagsOverrideTheFileWhichOverridesDefaults() throws Exception {
        Path f = tmp.resolve("c.json");
        Files.writeString(f, "{\"port\": 12000, \"max-job-size\": 77, \"_comment\": \"ignored\"}");
        BrokerConfig c = ConfigLoader.load(new String[] {"-c", f.toString(), "-p", "12001"}, "v", null);
        assertEquals(12001, c.port());
        assertEquals(77, c.maxJobSize());
    }

    @Test
    void retentionTakesADurationFromFlagsAndFile() throws Exception {
        assertEquals(90_000, ConfigLoader.load(new String[] {"--retention", "90s"}, "v", null).retentionMillis());
        Path f = tmp.resolve("r.json");
        Files.writeString(f, "{\"retention\": \"2d\", \"retention-max\": 5}");
        BrokerConfig c = ConfigLoader.load(new String[] {"-c", f.toString()}, "v", null);
        assertEquals(2 * 86_400_000L, c.retentionMillis());
        assertEquals(5, c.retentionMax());
    }

    @Test
    void theEngineSharesTheOnlyNetworkThreadUnlessToldOtherwise() throws Exception {
        BrokerConfig one = ConfigLoader.load(new String[] {"--io-threads", "1"}, "v", null);
        assertEquals(BrokerConfig.EngineThread.AUTO, one.engineThread());
        assertTrue(one.engineShared());
        assertFalse(ConfigLoader.load(new String[] {"--io-threads", "2"}, "v", null).engineShared());
        assertFalse(ConfigLoader.load(new String[] {"--io-threads", "1", "--engine-thread", "own"}, "v", null)
                .engineShared());
        assertTrue(ConfigLoader.load(new String[] {"--io-threads", "3", "--engine-thread", "shared"}, "v", null)
                .engineShared());
        Path f = tmp.resolve("e.json");
        Files.writeString(f, "{\"engine-thread\": \"own\", \"io-threads\": 1}");
        assertEquals(BrokerConfig.EngineThread.OWN, ConfigLoader.load(new String[] {"-c", f.toString()}, "v", null)
                .engineThread());
        assertEquals(BrokerConfig.EngineThread.SHARED, ConfigLoader.load(new String[] {"-c", f.toString(),
            "--engine-thread", "shared"}, "v", null).engineThread());
    }

    @Test
    void theShippedConfigFileLoadsAndMatchesTheDefaults() {
        Path shipped = Path.of("..", "conf", "sluice.json");
        BrokerConfig c = ConfigLoader.load(new String[] {"-c", shipped.toString()}, "v", null);
        BrokerConfig d = BrokerConfig.defaults();
        assertEquals(d.listen(), c.listen());
        assertEquals(d.port(), c.port());
        assertEquals(d.maxJobSize(), c.maxJobSize());
        assertEquals(d.segmentSize(), c.segmentSize());
        assertEquals(d.fsyncPolicy(), c.fsyncPolicy());
        assertEquals(d.retentionMillis(), c.retentionMillis());
        assertEquals(d.retentionMax(), c.retentionMax());
        assertEquals(d.engineThread(), c.engineThread());
    }

    @Test
    void everyBadSettingIsNamed() throws Exception {
        assertTrue(message("-p", "70000").contains("port: 70000"));
        assertTrue(message("-z", "2000000000").contains("max-job-size"));
        assertTrue(message("-s", "10").contains("segment-size"));
        assertTrue(message("--io-threads", "0").contains("io-threads"));
        assertTrue(message("--engine-thread", "both").contains("--engine-thread: 'both' is not one of auto, shared, own"));
        assertTrue(message("--retention", "soon").contains("--retention: 'soon' is not a duration"));
        assertTrue(message("--retention-max", "-1").contains("retention-max"));
        assertTrue(message("--in-memory", "-b", "/x").contains("contradict"));
        assertTrue(message("--bogus").contains("bogus"));
        Path f = tmp.resolve("bad.json");
        Files.writeString(f, "{\"port\": \"eleven\"}");
        assertTrue(message("-c", f.toString()).contains("'port' must be a whole number"));
        Files.writeString(f, "{\"prot\": 1}");
        assertTrue(message("-c", f.toString()).contains("unknown setting 'prot'"));
        Files.writeString(f, "{\"port\": 1");
        assertTrue(message("-c", f.toString()).contains("cannot read config file"));
    }

    private static String message(String... args) {
        return assertThrows(IllegalArgumentException.class, () -> ConfigLoader.load(args, "v", null)).getMessage();
    }
}
