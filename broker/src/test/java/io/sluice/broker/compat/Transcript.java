package io.sluice.broker.compat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One recorded beanstalkd conversation (a fixture written by {@code compat/record.py}), and the rules that make
 * two servers' replies comparable: values that differ between any two processes (pid, version, host, CPU time,
 * uptime, random id, binlog figures) are masked, and {@code OK <n>} lengths recomputed. Test thread only.
 */
record Transcript(String name, List<String> args, List<Step> steps) {

    /** One step; byte strings are ISO-8859-1 strings (one char per byte). */
    record Step(int conn, String op, String data, int ms) { }

    /**
     * Values that differ between two processes, and {@code age} and {@code time-left}, which count wall-clock
     * seconds and so depend on how fast the recorder and the replayer went (the engine tests pin them down with a
     * manual clock).
     * {@code id} is masked only as the 16-hex-digit server id of {@code stats}, not as a job id.
     */
    private static final Pattern VOLATILE = Pattern.compile(
            "(?m)^(pid|version|rusage-utime|rusage-stime|uptime|hostname|os|platform|binlog-oldest-index"
                    + "|binlog-current-index|binlog-records-migrated|binlog-records-written|binlog-max-size|age|time-left): .*$"
                    + "|^(id): [0-9a-f]{16}$");

    static Transcript load(Path file) throws IOException {
        JsonNode root = new ObjectMapper().readTree(file.toFile());
        List<String> args = new ArrayList<>();
        root.path("args").forEach(a -> args.add(a.asText()));
        List<Step> steps = new ArrayList<>();
        for (JsonNode s : root.path("steps")) {
            steps.add(new Step(s.path("conn").asInt(), s.path("op").asText(), s.path("data").asText(null),
                    s.has("ms") ? s.path("ms").asInt() : s.path("waitMs").asInt(0)));
        }
        return new Transcript(root.path("name").asText(file.getFileName().toString()), args, steps);
    }

    /** Splits a byte string into whole replies (a line, plus a body for OK / RESERVED / FOUND). */
    static List<String> splitReplies(String data) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < data.length()) {
            int eol = data.indexOf("\r\n", i);
            if (eol < 0) {
                out.add(data.substring(i)); // a torn tail: kept so the comparison shows it
                break;
            }
            int end = eol + 2 + bodyLength(data.substring(i, eol));
            end = Math.min(end, data.length());
            out.add(data.substring(i, end));
            i = end;
        }
        return out;
    }

    /**
     * Reads one whole reply: a line, and the body of OK / RESERVED / FOUND. A timeout or an end of stream before
     * the reply is whole is an {@link IOException} whose message shows the bytes read so far.
     */
    static String readReply(java.io.InputStream in) throws IOException {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        int prev = -1;
        for (;;) {
            int c;
            try {
                c = in.read();
            } catch (java.net.SocketTimeoutException e) {
                throw new java.net.SocketTimeoutException("timed out waiting for a reply; got \"" + b + "\"");
            }
            if (c < 0) {
                throw new java.io.EOFException("connection closed; got \"" + b + "\"");
            }
            b.write(c);
            if (prev == '\r' && c == '\n') {
                break;
            }
            prev = c;
        }
        String line = b.toString(StandardCharsets.ISO_8859_1);
        int body = bodyLength(line.substring(0, line.length() - 2));
        return line + new String(in.readNBytes(body), StandardCharsets.ISO_8859_1);
    }

    /** Bytes after the reply line that belong to the reply: body plus CRLF, or 0. */
    static int bodyLength(String line) {
        String[] f = line.split(" ");
        try {
            if (f[0].equals("OK") && f.length == 2) {
                return Integer.parseInt(f[1]) + 2;
            }
            if ((f[0].equals("RESERVED") || f[0].equals("FOUND")) && f.length == 3) {
                return Integer.parseInt(f[2]) + 2;
            }
        } catch (NumberFormatException e) {
            return 0;
        }
        return 0;
    }

    /** Masks process-specific stats values and recomputes the OK length. */
    static String normalize(String reply) {
        if (!reply.startsWith("OK ")) {
            return reply;
        }
        int eol = reply.indexOf("\r\n");
        if (eol < 0 || !reply.endsWith("\r\n")) {
            return reply;
        }
        String yaml = reply.substring(eol + 2, reply.length() - 2);
        Matcher m = VOLATILE.matcher(yaml);
        StringBuilder masked = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(masked, (m.group(1) != null ? m.group(1) : m.group(2)) + ": *");
        }
        m.appendTail(masked);
        return "OK " + masked.toString().getBytes(StandardCharsets.ISO_8859_1).length + "\r\n" + masked + "\r\n";
    }
}
