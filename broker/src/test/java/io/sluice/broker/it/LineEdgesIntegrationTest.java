package io.sluice.broker.it;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Line framing where beanstalkd 1.12 has bugs that Sluice fixes (PROTOCOL.md §1 and §7): what Sluice answers for
 * the inputs of the transcripts listed in {@code CompatTranscriptTest.KNOWN_DIFFERENCES}.
 */
class LineEdgesIntegrationTest {
    private TestBroker broker;
    private Wire c;

    @BeforeEach
    void start() throws Exception {
        broker = TestBroker.start();
        c = broker.connect();
    }

    @AfterEach
    void stop() throws Exception {
        c.close();
        broker.close();
    }

    @Test
    void aBareCrDoesNotHideTheLineEnd() throws Exception {
        c.call("ab\rcd\r\n", "UNKNOWN_COMMAND\r\n");
        c.call("list-tube-used\r\n", "USING default\r\n");
        c.call("foo\r\nab\r\r\nlist-tube-used\r\n", "UNKNOWN_COMMAND\r\nUNKNOWN_COMMAND\r\nUSING default\r\n");
    }

    @Test
    void aCrlfStraddlingThe224ByteLimitEndsTheLongLineOnly() throws Exception {
        String line225 = "peek " + "0".repeat(217) + "1\r\n"; // its CR is byte 224
        c.call(line225 + "list-tube-used\r\n", "BAD_FORMAT\r\nUSING default\r\n");
        c.send("peek " + "0".repeat(217) + "1\r").expectSilence(100); // the CR arrives alone
        c.call("\nlist-tube-used\r\n", "BAD_FORMAT\r\nUSING default\r\n");
        c.call("z".repeat(223) + "\r\nlist-tube-used\r\n", "BAD_FORMAT\r\nUSING default\r\n");
        c.call("z".repeat(222) + "\r\nlist-tube-used\r\n", "UNKNOWN_COMMAND\r\nUSING default\r\n");
    }
}
