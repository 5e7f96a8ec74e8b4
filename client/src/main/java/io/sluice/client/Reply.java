package io.sluice.client;

/**
 * One reply: its line (without CRLF) and, for {@code RESERVED}, {@code FOUND} and {@code OK}, its data block.
 * Immutable; thread rule: any thread.
 *
 * <p>Two forms with the same answers. {@link ReplyReader} builds the common replies, a known word and at most two
 * plain numbers ({@code INSERTED 7}, {@code RESERVED 7 100}, {@code DELETED}, ...), from bytes with {@link #parsed}:
 * the word is a shared constant, the numbers are longs, and the line is made only when asked for (messages). Any
 * other line is kept as its String ({@link #Reply(String, byte[])}) and split when asked.
 */
final class Reply {
    /** A line reply's line, or a parsed reply's word (one of {@link ReplyReader}'s constants). */
    private final String text;
    /** A parsed reply's count of numbers after the word (0..2); -1 for a line reply. */
    private final int numbers;
    private final long n1;
    private final long n2;
    private final byte[] body;

    Reply(String line, byte[] body) {
        this(line, -1, 0, 0, body);
    }

    private Reply(String text, int numbers, long n1, long n2, byte[] body) {
        this.text = text;
        this.numbers = numbers;
        this.n1 = n1;
        this.n2 = n2;
        this.body = body;
    }

    /**
     * A reply whose line is {@code word}, then {@code numbers} (0..2) space-separated decimals without leading
     * zeros ({@code n1}, {@code n2}), each below 2^63: so that {@link #line()} can rebuild it byte for byte.
     */
    static Reply parsed(String word, int numbers, long n1, long n2, byte[] body) {
        return new Reply(word, numbers, n1, n2, body);
    }

    /** The line; built anew for a parsed reply with numbers (only messages ask for it). */
    String line() {
        return numbers <= 0 ? text : numbers == 1 ? text + ' ' + n1 : text + ' ' + n1 + ' ' + n2;
    }

    byte[] body() {
        return body;
    }

    /** The reply word: the line up to its first space. */
    String word() {
        if (numbers >= 0) {
            return text;
        }
        int sp = text.indexOf(' ');
        return sp < 0 ? text : text.substring(0, sp);
    }

    /** The {@code i}-th space-separated token (0 is the word). */
    String token(int i) {
        if (numbers >= 0) {
            if (i == 0) {
                return text;
            }
            if (i <= numbers) {
                return Long.toString(i == 1 ? n1 : n2);
            }
            throw new UnexpectedReplyException("reply has no field " + i + ": " + line());
        }
        String line = text;
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
        if (numbers >= 0) {
            return 1 + numbers;
        }
        int n = 1;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == ' ') {
                n++;
            }
        }
        return n;
    }

    /** The {@code i}-th token as an unsigned 64-bit decimal. */
    long number(int i) {
        if (numbers >= 0 && i >= 1 && i <= numbers) {
            return i == 1 ? n1 : n2;
        }
        String t = token(i);
        try {
            return Long.parseUnsignedLong(t);
        } catch (NumberFormatException e) {
            throw new UnexpectedReplyException("reply field " + i + " is not a number: " + line());
        }
    }

    /** The {@code i}-th token as a non-negative int. */
    int count(int i) {
        long v = number(i);
        if (v > Integer.MAX_VALUE) {
            throw new UnexpectedReplyException("reply field " + i + " is too large: " + line());
        }
        return (int) v;
    }

    @Override
    public String toString() {
        return line();
    }
}
