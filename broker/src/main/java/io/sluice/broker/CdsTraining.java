package io.sluice.broker;

import io.sluice.broker.config.BrokerConfig;
import io.sluice.broker.config.ConfigLoader;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The training run for {@code bin/sluiced}'s class-data-sharing archive ({@code bin/cds-archive} runs it under
 * {@code -XX:ArchiveClassesAtExit}): the classes it loads are stored parsed and verified, so that a broker started
 * with the archive skips that work. It starts a broker on a scratch log as {@code bin/sluiced} would, drives the
 * commands clients use over TCP, then starts it again on the same log so that recovery runs too, and exits.
 * Loading classes is a fifth of a 1M-job recovery (bench/RESULTS.md), and most of a plain start.
 *
 * <p>Thread rule: the main thread, once; not part of a running broker.
 */
public final class CdsTraining {
    private CdsTraining() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("sluice-cds-training");
        try {
            for (int round = 0; round < 2; round++) {
                BrokerConfig config = ConfigLoader.load(
                        new String[] {"-l", "127.0.0.1", "-p", "0", "-b", dir.toString()}, Broker.VERSION, null);
                Broker broker = Broker.start(config);
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", broker.port()), 5_000);
                    s.setSoTimeout(5_000);
                    drive(s);
                } finally {
                    broker.close();
                }
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** The commands of a producer and a worker, a few of each reply's kinds among them. */
    private static void drive(Socket s) throws IOException {
        OutputStream out = s.getOutputStream();
        InputStream in = new BufferedInputStream(s.getInputStream());
        for (String cmd : new String[] {"use training", "watch training", "ignore default", "list-tubes",
                "list-tube-used", "list-tubes-watched", "stats", "stats-tube training"}) {
            call(out, in, cmd, null);
        }
        for (int i = 0; i < 200; i++) {
            call(out, in, "put " + (i % 7) + " 0 60 5", "job-" + (char) ('a' + i % 26));
        }
        call(out, in, "put 0 60 60 5", "later");
        call(out, in, "put-ex 0 0 60 5 key=training-key ttl=1h", "keyed");
        call(out, in, "peek-key training-key", null);
        call(out, in, "job-state-key training-key", null);
        call(out, in, "peek-ready", null);
        call(out, in, "peek-delayed", null);
        for (int i = 0; i < 20; i++) {
            String id = idOf(call(out, in, "reserve-with-timeout 0", null));
            if (id == null) {
                break;
            }
            call(out, in, "stats-job " + id, null);
            switch (i % 4) {
                case 0 -> call(out, in, "delete " + id, null);
                case 1 -> call(out, in, "release " + id + " 1 0", null);
                case 2 -> call(out, in, "bury " + id + " 1", null);
                default -> call(out, in, "touch " + id, null);
            }
        }
        call(out, in, "kick 2", null);
        call(out, in, "peek-buried", null);
        call(out, in, "stats", null);
        call(out, in, "quit", null);
    }

    private static String idOf(String reply) {
        return reply.startsWith("RESERVED ") ? reply.split(" ")[1] : null;
    }

    /** Sends one command (and its body), reads its reply line and any data after it; returns the line. */
    private static String call(OutputStream out, InputStream in, String cmd, String body) throws IOException {
        StringBuilder req = new StringBuilder(cmd).append("\r\n");
        if (body != null) {
            req.append(body).append("\r\n");
        }
        out.write(req.toString().getBytes(StandardCharsets.US_ASCII));
        out.flush();
        if (cmd.equals("quit")) {
            return "";
        }
        String line = readLine(in);
        String[] f = line.split(" ");
        boolean data = f[0].equals("OK") || f[0].equals("FOUND") || f[0].equals("RESERVED");
        if (data) {
            long n = Long.parseLong(f[f.length - 1]) + 2;
            while (n > 0) {
                long skipped = in.skip(n);
                if (skipped <= 0) {
                    if (in.read() < 0) {
                        throw new IOException("connection closed in a reply to " + cmd);
                    }
                    skipped = 1;
                }
                n -= skipped;
            }
        }
        return line;
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (c != '\r') {
                b.append((char) c);
            }
        }
        if (c < 0) {
            throw new IOException("connection closed before a reply");
        }
        return b.toString();
    }
}
