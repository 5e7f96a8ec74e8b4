package io.sluice.client;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The connection state the broker keeps and a reconnect must re-apply: the used tube and the watch list, as last
 * confirmed by the broker. Thread rule: any thread (synchronized); the async client updates it from its reader.
 */
final class Session {
    static final String DEFAULT_TUBE = "default";

    private String used = DEFAULT_TUBE;
    private final Set<String> watched = new LinkedHashSet<>(List.of(DEFAULT_TUBE));

    synchronized String used() {
        return used;
    }

    synchronized List<String> watched() {
        return List.copyOf(watched);
    }

    synchronized void use(String tube) {
        used = tube;
    }

    synchronized void watch(String tube) {
        watched.add(tube);
    }

    synchronized void ignore(String tube) {
        watched.remove(tube);
    }

    /** The commands that bring a fresh connection (using and watching {@code default}) to this state. */
    synchronized List<Request<?>> restore() {
        List<Request<?>> out = new ArrayList<>();
        if (!used.equals(DEFAULT_TUBE)) {
            out.add(Protocol.use(used));
        }
        for (String t : watched) {
            if (!t.equals(DEFAULT_TUBE)) {
                out.add(Protocol.watch(t));
            }
        }
        if (!watched.contains(DEFAULT_TUBE)) {
            out.add(Protocol.ignore(DEFAULT_TUBE));
        }
        return out;
    }
}
