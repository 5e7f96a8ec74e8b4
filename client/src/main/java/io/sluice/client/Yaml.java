package io.sluice.client;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The two tiny YAML shapes beanstalkd sends: a flat {@code key: value} map (stats) and a {@code - item} list (tube
 * lists), both after a {@code ---} line. Values lose surrounding double quotes (beanstalkd quotes without escaping).
 * Not a YAML parser: anything else is skipped. Stateless; any thread.
 */
final class Yaml {
    private Yaml() {
    }

    static Map<String, String> map(byte[] yaml) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : lines(yaml)) {
            int colon = line.indexOf(':');
            if (colon <= 0 || line.startsWith("- ")) {
                continue;
            }
            String key = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            out.put(key, unquote(value));
        }
        return Collections.unmodifiableMap(out);
    }

    static List<String> list(byte[] yaml) {
        List<String> out = new ArrayList<>();
        for (String line : lines(yaml)) {
            if (line.startsWith("- ")) {
                out.add(unquote(line.substring(2).trim()));
            }
        }
        return List.copyOf(out);
    }

    private static List<String> lines(byte[] yaml) {
        String text = new String(yaml, StandardCharsets.UTF_8);
        List<String> out = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int nl = text.indexOf('\n', start);
            int end = nl < 0 ? text.length() : nl;
            String line = text.substring(start, end);
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            if (!line.isEmpty() && !line.equals("---")) {
                out.add(line);
            }
            start = end + 1;
        }
        return out;
    }

    static String unquote(String v) {
        if (v.length() >= 2 && v.charAt(0) == '"' && v.charAt(v.length() - 1) == '"') {
            return v.substring(1, v.length() - 1);
        }
        return v;
    }

    /** A numeric field; 0 when absent. */
    static long num(Map<String, String> m, String key) {
        String v = m.get(key);
        if (v == null || v.isEmpty()) {
            return 0;
        }
        try {
            return v.charAt(0) == '-' ? Long.parseLong(v) : Long.parseUnsignedLong(v);
        } catch (NumberFormatException e) {
            throw new UnexpectedReplyException("stats field " + key + ": not a number: " + v);
        }
    }

    /** A decimal field such as {@code rusage-utime: 0.012000}; 0 when absent. */
    static double decimal(Map<String, String> m, String key) {
        String v = m.get(key);
        if (v == null || v.isEmpty()) {
            return 0;
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new UnexpectedReplyException("stats field " + key + ": not a number: " + v);
        }
    }

    /** A string field; empty when absent. */
    static String str(Map<String, String> m, String key) {
        return m.getOrDefault(key, "");
    }
}
