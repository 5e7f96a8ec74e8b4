package io.sluice.client;

/**
 * One reply: its line (without CRLF) and, for {@code RESERVED}, {@code FOUND} and {@code OK}, its data block.
 * Immutable.
 */
record Reply(String line, byte[] body) {

    /** The reply word: the line up to its first space. */
    String word() {
        int sp = line.indexOf(' ');
        return sp < 0 ? line : line.substring(0, sp);
    }

    /** The {@code i}-th space-separated token (0 is the word). */
    String token(int i) {
        int start = 0;
        for (int k = 0; k < i; k++) {
            int sp = line.indexOf(' ', start);
            if (sp < 0) {
                throw new UnexpectedReplyException("reply has no field " + i + ": " + line);
            }
            start = sp + 1;
        }
        int end = line.indexOf(' ', start);
        return end < 0 ? line.substring(start) : line.substring(start, end);
    }

    int tokenCount() {
        int n = 1;
        for (int i = 0; i < line.length(); i++) {
            if (line.charAt(i) == ' ') {
                n++;
            }
        }
        return n;
    }

    /** The {@code i}-th token as an unsigned 64-bit decimal. */
    long number(int i) {
        String t = token(i);
        try {
            return Long.parseUnsignedLong(t);
        } catch (NumberFormatException e) {
            throw new UnexpectedReplyException("reply field " + i + " is not a number: " + line);
        }
    }

    /** The {@code i}-th token as a non-negative int. */
    int count(int i) {
        long v = number(i);
        if (v > Integer.MAX_VALUE) {
            throw new UnexpectedReplyException("reply field " + i + " is too large: " + line);
        }
        return (int) v;
    }
}
