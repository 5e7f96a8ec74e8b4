package io.sluice.broker.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bin/cds-archive}, which bin/sluiced and the bench scripts start the broker with: the archive it makes is
 * one the JVM takes ({@code -Xshare:on} refuses to start otherwise), it is made again only when a jar changed, and
 * a changed jar does make the JVM refuse the old one (what the remaking is for).
 */
class CdsArchiveTest {
    @TempDir
    Path dir;

    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    @Test
    void theArchiveIsTakenByTheJvmAndMadeAgainOnlyWhenAJarChanged() throws Exception {
        Path jar = dir.resolve("sluice-broker.jar");
        jar(Path.of("target", "classes"), jar);
        String cp = jar + ":" + Arrays.stream(System.getProperty("java.class.path").split(":"))
                .filter(e -> e.endsWith(".jar")).sorted().collect(Collectors.joining(":"));
        Path archive = dir.resolve("broker.jsa");

        Result made = run(Path.of("..", "bin", "cds-archive").toString(), cp, archive.toString());
        assertEquals(0, made.code, made.out);
        assertEquals("-XX:SharedArchiveFile=" + archive, made.out.trim());
        assertVersionWith(cp, archive);

        FileTime first = Files.getLastModifiedTime(archive);
        Thread.sleep(20);
        assertEquals("-XX:SharedArchiveFile=" + archive,
                run(Path.of("..", "bin", "cds-archive").toString(), cp, archive.toString()).out.trim());
        assertEquals(first, Files.getLastModifiedTime(archive), "nothing changed: the archive is kept");

        Files.setLastModifiedTime(jar, FileTime.fromMillis(first.toMillis() + 2_000));
        Result refused = run(JAVA, "-Xshare:on", "-XX:SharedArchiveFile=" + archive, "-cp", cp,
                "io.sluice.broker.Main", "--version");
        assertNotEquals(0, refused.code, "the JVM must refuse an archive made for another jar: " + refused.out);
        run(Path.of("..", "bin", "cds-archive").toString(), cp, archive.toString());
        assertNotEquals(first, Files.getLastModifiedTime(archive), "a newer jar: the archive is made again");
        assertVersionWith(cp, archive);
    }

    private static void assertVersionWith(String cp, Path archive) throws Exception {
        Result v = run(JAVA, "-Xshare:on", "-XX:SharedArchiveFile=" + archive, "-cp", cp,
                "io.sluice.broker.Main", "--version");
        assertEquals(0, v.code, v.out);
        assertTrue(v.out.startsWith("sluiced "), v.out);
    }

    private record Result(int code, String out) { }

    /** Runs a command with this test's JVM first on PATH (the script runs the {@code java} found there). */
    private static Result run(String... cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("PATH", Path.of(JAVA).getParent() + ":" + System.getenv("PATH"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), out);
    }

    private static void jar(Path classes, Path jar) throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.walk(classes)) {
            s.filter(Files::isRegularFile).sorted().forEach(files::add);
        }
        try (OutputStream o = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(o)) {
            for (Path f : files) {
                j.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                j.write(Files.readAllBytes(f));
                j.closeEntry();
            }
        }
    }
}
