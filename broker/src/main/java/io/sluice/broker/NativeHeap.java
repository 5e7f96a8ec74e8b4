package io.sluice.broker;

import javax.management.JMException;
import javax.management.ObjectName;

import java.lang.management.ManagementFactory;

/**
 * Hands the C heap's free memory back to the system: glibc keeps what was freed (the JIT's compiler arenas of the
 * warm-up) resident until asked. jcmd's {@code System.trim_native_heap} (JDK 17.0.9 and
 * later; {@code malloc_trim}), through the diagnostic-command bean.
 *
 * <p>Thread rule: any thread; it takes the C heap's locks for a few ms, so only while the broker is quiet.
 */
final class NativeHeap {
    private NativeHeap() {
    }

    /** Returns false if this JVM cannot. */
    static boolean trim() {
        try {
            ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "systemTrimNativeHeap",
                    new Object[0], new String[0]);
            return true;
        } catch (JMException | RuntimeException unsupported) {
            return false;
        }
    }
}
