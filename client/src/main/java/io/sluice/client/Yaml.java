package io.sluice.client;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tiny YAML shapes brokers send: a flat {@code key: value} map (stats), a {@code - item} list (tube lists), and
 * Sluice's list of one-line flow maps ({@code - {id: 3, key: 'a'}}: list-jobs, schedule-list), after a {@code ---}
 * line. Values lose surrounding double quotes (beanstalkd quotes without escaping) or single quotes (Sluice's
 * extensions, which double an inner {@code '}). Not a YAML parser: anything else is skipped. Stateless; any thread.
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

    /**
     * The {@code - {k: v, ...}} items of a list, each a map in order. A single-quoted value may hold commas, braces
     * and colons (keys and cron specs do).
     */
    static List<Map<String, String>> flowMaps(byte[] yaml) {
        List<Map<String, String>> out = new ArrayList<>();
        for (String line : lines(yaml)) {
            if (line.startsWith("- {") && line.endsWith("}")) {
                out.add(flowMap(line, 3, line.length() - 1));
            }
        }
        return List.copyOf(out);
    }

    private static Map<String, String> flowMap(String line, int from, int to) {
        Map<String, String> m = new LinkedHashMap<>();
        int i = from;
        while (i < to) {
            int colon = line.indexOf(": ", i);
            if (colon < 0 || colon >= to) {
                throw new UnexpectedReplyException("malformed YAML item: " + line);
            }
            String key = line.substring(i, colon).trim();
            i = colon + 2;
            int end;
            String value;
            if (i < to && line.charAt(i) == '\'') {
                StringBuilder v = new StringBuilder();
                int j = i + 1;
                while (true) {
                    if (j >= to) {
                        throw new UnexpectedReplyException("unterminated quote in YAML item: " + line);
                    }
                    char c = line.charAt(j);
                    if (c == '\'') {
                        if (j + 1 < to && line.charAt(j + 1) == '\'') {
                            v.append('\'');
                            j += 2;
                            continue;
                        }
                        break;
                    }
                    v.append(c);
                    j++;
                }
                value = v.toString();
                end = j + 1;
            } else {
                end = line.indexOf(',', i);
                if (end < 0 || end > to) {
                    end = to;
                }
                value = line.substring(i, end).trim();
            }
            m.put(key, value);
            i = end;
            if (i < to && line.charAt(i) == ',') {
                i++;
            }
            while (i < to && line.charAt(i) == ' ') {
                i++;
            }
        }
        return Collections.unmodifiableMap(m);
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
        if (v.length() >= 2 && v.charAt(0) == '\'' && v.charAt(v.length() - 1) == '\'') {
            return v.substring(1, v.length() - 1).replace("''", "'");
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
