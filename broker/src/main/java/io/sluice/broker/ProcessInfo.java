package io.sluice.broker;

import io.sluice.broker.engine.ServerInfo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;

/**
 * The real process facts for {@code stats}, read the way beanstalkd gets them ({@code uname}, {@code getrusage})
 * through /proc where the JDK has no call. Thread-safe (immutable except for the CPU reads).
 */
final class ProcessInfo implements ServerInfo {
    private static final long TICKS_PER_SECOND = 100; // Linux USER_HZ

    private final String version;
    private final String id;
    private final String hostname;
    private final String os;
    private final String platform;

    ProcessInfo(String version) {
        this.version = version;
        byte[] b = new byte[8];
        new SecureRandom().nextBytes(b);
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            sb.append(String.format("%02x", x));
        }
        this.id = sb.toString();
        this.hostname = read("/proc/sys/kernel/hostname", localHost());
        this.os = read("/proc/sys/kernel/version", System.getProperty("os.version"));
        String arch = System.getProperty("os.arch");
        this.platform = read("/proc/sys/kernel/arch", "amd64".equals(arch) ? "x86_64" : arch);
    }

    private static String localHost() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    private static String read(String file, String dflt) {
        try {
            return Files.readString(Path.of(file)).trim();
        } catch (IOException | RuntimeException e) {
            return dflt;
        }
    }

    @Override
    public long pid() {
        return ProcessHandle.current().pid();
    }

    @Override
    public String version() {
        return version;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String hostname() {
        return hostname;
    }

    @Override
    public String os() {
        return os;
    }

    @Override
    public String platform() {
        return platform;
    }

    @Override
    public long userCpuMicros() {
        return cpuTicks(13) * (1_000_000 / TICKS_PER_SECOND);
    }

    @Override
    public long systemCpuMicros() {
        return cpuTicks(14) * (1_000_000 / TICKS_PER_SECOND);
    }

    /** Field {@code index} (0-based, after the command name) of /proc/self/stat: utime is 13, stime 14. */
    private static long cpuTicks(int index) {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[index - 2]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
