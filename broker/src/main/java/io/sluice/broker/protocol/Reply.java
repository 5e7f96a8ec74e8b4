package io.sluice.broker.protocol;

import java.nio.charset.StandardCharsets;

/**
 * One reply to one command. Pure data (no Netty types) so the engine can build replies; {@link ReplyEncoder}
 * turns them into bytes on the connection's event loop.
 *
 * <p>Thread rule: immutable; built on the engine thread (or an event loop for decoder errors), encoded on an
 * event loop. Bodies are shared, never copied and never mutated.
 */
public sealed interface Reply {

    /** A fixed reply line, pre-encoded with its CRLF. */
    final class Word implements Reply {
        private final byte[] line;
        private final String text;

        private Word(String text) {
            this.text = text;
            this.line = (text + "\r\n").getBytes(StandardCharsets.US_ASCII);
        }

        public byte[] line() {
            return line;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    Word DELETED = new Word("DELETED");
    Word RELEASED = new Word("RELEASED");
    Word BURIED = new Word("BURIED");
    Word TOUCHED = new Word("TOUCHED");
    Word KICKED = new Word("KICKED");
    Word PAUSED = new Word("PAUSED");
    Word NOT_FOUND = new Word("NOT_FOUND");
    Word NOT_IGNORED = new Word("NOT_IGNORED");
    Word DEADLINE_SOON = new Word("DEADLINE_SOON");
    Word TIMED_OUT = new Word("TIMED_OUT");
    Word EXPECTED_CRLF = new Word("EXPECTED_CRLF");
    Word JOB_TOO_BIG = new Word("JOB_TOO_BIG");
    Word DRAINING = new Word("DRAINING");
    Word OUT_OF_MEMORY = new Word("OUT_OF_MEMORY");
    Word INTERNAL_ERROR = new Word("INTERNAL_ERROR");
    Word BAD_FORMAT = new Word("BAD_FORMAT");
    Word UNKNOWN_COMMAND = new Word("UNKNOWN_COMMAND");
    // Sluice extensions (PROTOCOL.md §7)
    Word CANCELLED = new Word("CANCELLED");
    Word CANCELLING = new Word("CANCELLING");
    Word UPDATED = new Word("UPDATED");
    Word SCHEDULED = new Word("SCHEDULED");
    Word REMOVED = new Word("REMOVED");

    /** {@code <word> <number>}: INSERTED, BURIED &lt;id&gt;, WATCHING, KICKED &lt;n&gt;; EXISTS, CLEARED (extensions). */
    record Numbered(NumberedWord word, long value) implements Reply { }

    enum NumberedWord {
        INSERTED("INSERTED "), BURIED("BURIED "), WATCHING("WATCHING "), KICKED("KICKED "), EXISTS("EXISTS "),
        CLEARED("CLEARED ");

        private final byte[] prefix;

        NumberedWord(String prefix) {
            this.prefix = prefix.getBytes(StandardCharsets.US_ASCII);
        }

        public byte[] prefix() {
            return prefix;
        }
    }

    /** {@code USING <tube>}. */
    record Using(String tube) implements Reply { }

    /** {@code RESERVED <id> <bytes>} or {@code FOUND <id> <bytes>}, then the body and CRLF. */
    record JobBody(boolean reserved, long id, byte[] body) implements Reply {
        @Override
        public String toString() {
            return (reserved ? "RESERVED " : "FOUND ") + Long.toUnsignedString(id) + " " + body.length;
        }
    }

    /** {@code OK <bytes>}, then a YAML document and CRLF. */
    record Ok(byte[] yaml) implements Reply {
        @Override
        public String toString() {
            return "OK " + yaml.length;
        }
    }
}
