package io.sluice.broker.server;

import io.sluice.broker.protocol.Command;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Input back-pressure weighs every body a command carries, not only a plain put's. */
class InputWeightTest {
    @Test
    void everyBodyCarryingCommandWeighsItsBody() {
        byte[] body = new byte[5000];
        assertEquals(5000, ClientConnection.bodyLength(new Command.Put(0, 0, 1, body)));
        assertEquals(5000, ClientConnection.bodyLength(new Command.PutEx(0, 0, 1, body, "k", 0, false, -1)));
        assertEquals(5000, ClientConnection.bodyLength(new Command.ScheduleAdd("n", 0, 1, "@daily", "UTC", body)));
        assertEquals(0, ClientConnection.bodyLength(new Command.Delete(1)));
    }
}
