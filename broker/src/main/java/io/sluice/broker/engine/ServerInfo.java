package io.sluice.broker.engine;

/**
 * Process facts that {@code stats} prints. Supplied by the broker so the engine makes no OS calls itself.
 *
 * <p>Thread rule: implementations are called on the engine thread.
 */
public interface ServerInfo {
    long pid();

    String version();

    /** 16 lowercase hex characters, random per process. */
    String id();

    String hostname();

    /** Kernel build string ({@code uname -v}). */
    String os();

    /** Machine ({@code uname -m}). */
    String platform();

    /** User CPU time of the process, in microseconds. */
    long userCpuMicros();

    /** System CPU time of the process, in microseconds. */
    long systemCpuMicros();

    /** Fixed values, for tests. */
    static ServerInfo fixed() {
        return new ServerInfo() {
            @Override
            public long pid() {
                return 1;
            }

            @Override
            public String version() {
                return "test";
            }

            @Override
            public String id() {
                return "0000000000000000";
            }

            @Override
            public String hostname() {
                return "localhost";
            }

            @Override
            public String os() {
                return "test";
            }

            @Override
            public String platform() {
                return "x86_64";
            }

            @Override
            public long userCpuMicros() {
                return 0;
            }

            @Override
            public long systemCpuMicros() {
                return 0;
            }
        };
    }
}
