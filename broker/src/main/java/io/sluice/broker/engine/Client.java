package io.sluice.broker.engine;

import io.sluice.broker.protocol.Command;

import java.util.ArrayDeque;
import java.util.ArrayList;

/**
 * The engine's view of one connection: used tube, watch list, reserved jobs, a pending reserve and the commands
 * that arrived behind it.
 *
 * <p>Thread rule: created on any thread (it only keeps the sink); every field is then touched by the engine
 * thread only, after the {@code open} event has carried the object there.
 */
public final class Client {
    static final IndexedHeap.Slot<Client> WAIT_SLOT = new IndexedHeap.Slot<>() {
        @Override
        public int get(Client e) {
            return e.waitSlot;
        }

        @Override
        public void set(Client e, int index) {
            e.waitSlot = index;
        }
    };

    final ReplySink sink;

    Tube use;
    /** Watch list; removal swaps the last entry in, as beanstalkd's {@code ms_delete} does (list order). */
    final ArrayList<Tube> watching = new ArrayList<>(2);
    final JobList reserved = new JobList();
    boolean producer;
    boolean worker;
    boolean open;
    boolean inputClosed;

    /** Blocked in reserve; commands arriving meanwhile wait in {@link #backlog}, as beanstalkd reads none. */
    boolean waiting;
    /** When a pending reserve-with-timeout gives up (engine clock), or Long.MAX_VALUE. */
    long waitTimeoutAt;
    /** When the engine must look at this waiting client again: timeout or TTR safety margin. */
    long wakeAt;
    int waitSlot = -1;
    final ArrayDeque<Command> backlog = new ArrayDeque<>();

    /** Got replies in the current engine cycle and needs a flush. */
    boolean dirty;
    /** Replies held until the log is durable, and whether to close the connection once they are sent. */
    int held;
    boolean closeWhenSent;

    public Client(ReplySink sink) {
        this.sink = sink;
    }
}
