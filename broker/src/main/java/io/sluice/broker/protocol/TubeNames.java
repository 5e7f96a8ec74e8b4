package io.sluice.broker.protocol;

/** beanstalkd's tube-name charset and validity rule ({@code is_valid_tube}). Stateless; any thread. */
public final class TubeNames {
    private static final boolean[] NAME_CHARS = new boolean[256];

    static {
        String chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-+/;.$_()";
        for (int i = 0; i < chars.length(); i++) {
            NAME_CHARS[chars.charAt(i)] = true;
        }
    }

    private TubeNames() {
    }

    public static boolean isNameChar(byte b) {
        return NAME_CHARS[b & 0xFF];
    }

    /** Whether {@code bytes[from, to)} is a valid tube name: 1..200 name chars, not starting with '-'. */
    public static boolean isValid(byte[] bytes, int from, int to) {
        int len = to - from;
        if (len < 1 || len > ProtocolLimits.MAX_TUBE_NAME || bytes[from] == '-') {
            return false;
        }
        for (int i = from; i < to; i++) {
            if (!NAME_CHARS[bytes[i] & 0xFF]) {
                return false;
            }
        }
        return true;
    }

    public static boolean isValid(String name) {
        byte[] b = name.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        return isValid(b, 0, b.length);
    }
}
