package io.sluice.broker.compat;

import io.sluice.broker.Broker;
import io.sluice.broker.config.BrokerConfig;
import io.sluice.broker.it.BrokerProcess;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Random conversations, played in lock step against a live beanstalkd 1.12 and a fresh Sluice broker: every reply
 * must match byte for byte (after {@link Transcript#normalize}), on every connection, including the replies that
 * blocked reserves get when another connection's command serves them. The transcripts pin down the cases someone
 * thought of; this finds the interleavings nobody did.
 *
 * <p>Nothing here depends on time: delays, pauses and TTRs are either 0 or far longer than a run. Seeds and length
 * can be raised for a deep run: {@code -Dsluice.fuzz.seeds=500 -Dsluice.fuzz.steps=1000}; a failure prints its seed
 * ({@code -Dsluice.fuzz.first=N -Dsluice.fuzz.seeds=1} replays it) and the conversation up to the difference.
 * Test thread only.
 */
class DifferentialFuzzTest {
    private static final Path BEANSTALKD = Path.of("/usr/bin/beanstalkd");
    private static final int FIRST = Integer.getInteger("sluice.fuzz.first", 1);
    private static final int SEEDS = Integer.getInteger("sluice.fuzz.seeds", 24);
    private static final int STEPS = Integer.getInteger("sluice.fuzz.steps", 300);
    private static final int CONNS = 3;
    /** Small, so that JOB_TOO_BIG is reachable with small bodies. */
    private static final int MAX_JOB_SIZE = 40;
    private static final int CLOSE_SETTLE_MS = 25;
    private static final int DURABLE_SEEDS = Integer.getInteger("sluice.fuzz.durableSeeds", 8);
    /** On average, steps between two kills in the durable conversations. */
    private static final int KILL_EVERY = 60;

    @TestFactory
    Stream<DynamicTest> randomConversationsMatchBeanstalkd() {
        Assumptions.assumeTrue(Files.isExecutable(BEANSTALKD), "beanstalkd is not installed");
        return IntStream.range(FIRST, FIRST + SEEDS).mapToObj(seed ->
                DynamicTest.dynamicTest("seed " + seed + " (engine " + engine(seed).text() + ")", () -> {
                    try (InMemory servers = new InMemory(engine(seed))) {
                        new Conversation(seed, servers, 0).play();
                    }
                }));
    }

    /**
     * The same with both servers durable (beanstalkd {@code -b}, Sluice {@code -b}, fsync always), and now and
     * then both killed with SIGKILL between two replies and restarted on their logs: what either recovers must
     * answer the rest of the conversation alike. Every reply had been given, so every change was acknowledged.
     */
    @TestFactory
    Stream<DynamicTest> conversationsAcrossKillsMatchBeanstalkd() {
        Assumptions.assumeTrue(Files.isExecutable(BEANSTALKD), "beanstalkd is not installed");
        return IntStream.range(FIRST, FIRST + DURABLE_SEEDS).mapToObj(seed ->
                DynamicTest.dynamicTest("seed " + seed + " (engine " + engine(seed).text() + ")", () -> {
                    try (Durable servers = new Durable(engine(seed))) {
                        new Conversation(seed, servers, KILL_EVERY).play();
                    }
                }));
    }

    /** The two servers of one conversation. */
    private interface Servers extends AutoCloseable {
        int beanPort();

        int sluicePort();

        /** Kills both servers (SIGKILL) and starts them again on what they left on disk. */
        void crashAndRestart() throws Exception;
    }

    /** Where Sluice runs its engine for a seed: both ways, alternately (even seeds on the network thread). */
    private static BrokerConfig.EngineThread engine(long seed) {
        return seed % 2 == 0 ? BrokerConfig.EngineThread.SHARED : BrokerConfig.EngineThread.OWN;
    }

    /** beanstalkd in memory, and Sluice in this JVM. */
    private static final class InMemory implements Servers {
        private final LiveBeanstalkd bean;
        private final Broker sluice;

        InMemory(BrokerConfig.EngineThread engine) throws Exception {
            bean = LiveBeanstalkd.start(BEANSTALKD, List.of("-z", Integer.toString(MAX_JOB_SIZE)));
            sluice = Broker.start(BrokerConfig.defaults().withPort(0).withMaxJobSize(MAX_JOB_SIZE)
                    .withEngineThread(engine));
        }

        public int beanPort() {
            return bean.port();
        }

        public int sluicePort() {
            return sluice.port();
        }

        public void crashAndRestart() {
            throw new UnsupportedOperationException("in memory");
        }

        public void close() throws Exception {
            try (sluice) {
                bean.close();
            }
        }
    }

    /** Both durable, as processes that can be killed. */
    private static final class Durable implements Servers {
        private final Path dir = Files.createTempDirectory("sluice-fuzz");
        private LiveBeanstalkd bean;
        private Process sluice;
        private int sluicePort;
        private final BrokerConfig.EngineThread engine;

        Durable(BrokerConfig.EngineThread engine) throws Exception {
            this.engine = engine;
            start();
        }

        private void start() throws Exception {
            Files.createDirectories(dir.resolve("beanstalkd"));
            bean = LiveBeanstalkd.start(BEANSTALKD, List.of("-z", Integer.toString(MAX_JOB_SIZE), "-b",
                    dir.resolve("beanstalkd").toString()));
            sluice = BrokerProcess.launch("-l", "127.0.0.1", "-p", "0", "-z", Integer.toString(MAX_JOB_SIZE), "-b",
                    dir.resolve("sluice").toString(), "--engine-thread", engine.text());
            sluicePort = BrokerProcess.awaitPort(sluice);
        }

        public int beanPort() {
            return bean.port();
        }

        public int sluicePort() {
            return sluicePort;
        }

        public void crashAndRestart() throws Exception {
            bean.kill();
            sluice.destroyForcibly();
            sluice.waitFor(10, TimeUnit.SECONDS);
            start();
        }

        public void close() throws Exception {
            bean.kill();
            sluice.destroyForcibly();
            sluice.waitFor(10, TimeUnit.SECONDS);
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /** One seed's conversation: the same bytes to both servers, connection by connection. */
    private static final class Conversation {
        private final Random rnd;
        private final long seed;
        private final Servers servers;
        private final int killEvery;
        private Side bean;
        private Side sluice;
        /** Connections with a reserve outstanding: no command is sent on them until it is answered. */
        private final boolean[] blocked = new boolean[CONNS];
        private final StringBuilder log = new StringBuilder();
        private final IdMap ids = new IdMap();
        private int puts;

        /** {@code killEvery}: on average, steps between two kills of both servers; 0 for never. */
        Conversation(long seed, Servers servers, int killEvery) {
            this.seed = seed;
            this.rnd = new Random(seed);
            this.servers = servers;
            this.killEvery = killEvery;
            this.bean = new Side("beanstalkd", servers.beanPort());
            this.sluice = new Side("sluice", servers.sluicePort());
        }

        void play() throws Exception {
            try {
                for (int step = 1; step <= STEPS; step++) {
                    step(step);
                    settleBlocked(step, 0);
                }
                settleBlocked(STEPS + 1, 300);
            } catch (AssertionError e) {
                if (e.getMessage().contains("conversation (seed")) {
                    throw e;
                }
                throw new AssertionError(e.getMessage() + "\nconversation (seed " + seed + "):\n" + log, e);
            } finally {
                bean.close();
                sluice.close();
            }
        }

        private void step(int step) throws Exception {
            int c = rnd.nextInt(CONNS);
            if (blocked[c]) {
                if (rnd.nextInt(8) == 0) {
                    note(step, c, "<close while waiting>");
                    closeBoth(c);
                    blocked[c] = false;
                }
                return;
            }
            if (killEvery > 0 && rnd.nextInt(killEvery) == 0) {
                note(step, c, "<kill -9 both, restart>");
                bean.close();
                sluice.close();
                servers.crashAndRestart();
                ids.restart();
                bean = new Side("beanstalkd", servers.beanPort());
                sluice = new Side("sluice", servers.sluicePort());
                java.util.Arrays.fill(blocked, false);
                compareAllJobs(step);
                return;
            }
            int kind = rnd.nextInt(100);
            if (kind < 3) {
                note(step, c, "<close>");
                closeBoth(c);
                return;
            }
            if (kind < 5) {
                send(step, c, "quit\r\n");
                bean.expectClose(c, where(step, c));
                sluice.expectClose(c, where(step, c));
                Thread.sleep(CLOSE_SETTLE_MS);
                return;
            }
            if (kind < 9) {
                // Two commands in one write: the second waits behind the first.
                Cmd a = command();
                Cmd second = command();
                send(step, c, a.text() + second.text());
                compare(step, c, a.replies() + second.replies());
                return;
            }
            if (kind < 13) {
                if (anyBlocked()) {
                    return; // one waiter at a time: beanstalkd serves several only roughly oldest first
                }
                send(step, c, pick(new String[] {"reserve\r\n", "reserve-with-timeout 100\r\n",
                    "reserve-with-timeout -1\r\n"}));
                blocked[c] = true;
                settleBlocked(step, 30);
                return;
            }
            Cmd cmd = command();
            send(step, c, cmd.text());
            compare(step, c, cmd.replies());
        }

        /** Compares what the waiting connections got; {@code graceMs} to let a late reply arrive on both. */
        private void settleBlocked(int step, int graceMs) throws Exception {
            if (graceMs > 0) {
                Thread.sleep(graceMs);
            }
            for (int c = 0; c < CONNS; c++) {
                if (!blocked[c]) {
                    continue;
                }
                boolean b = bean.ready(c);
                boolean s = sluice.ready(c);
                if (!b && !s) {
                    continue;
                }
                compareOne(step, c, "(the waiting reserve's reply)");
                blocked[c] = false;
            }
        }

        /**
         * A server learns of a close from its event loop, in its own time: a command sent at once on another
         * connection may be served before or after the close releases the jobs the closed one held. Neither order
         * is wrong, so the conversation gives both servers the moment to see it.
         */
        private void closeBoth(int c) throws IOException, InterruptedException {
            bean.close(c);
            sluice.close(c);
            Thread.sleep(CLOSE_SETTLE_MS);
        }

        private boolean anyBlocked() {
            for (boolean b : blocked) {
                if (b) {
                    return true;
                }
            }
            return false;
        }

        /**
         * Right after a restart, {@code stats-job} of every id handed out so far, on a connection of its own: a
         * difference in what was recovered shows here, with all the jobs it touches, rather than some steps later.
         */
        private void compareAllJobs(int step) throws IOException {
            StringBuilder diff = new StringBuilder();
            for (int id = 1; id <= puts + 2; id++) {
                String cmd = "stats-job " + id + "\r\n";
                bean.send(CONNS, cmd);
                sluice.send(CONNS, ids.forSluice(cmd));
                String b = mask(Transcript.normalize(bean.reply(CONNS, where(step, CONNS))));
                String sl = mask(Transcript.normalize(ids.sluiceReply(sluice.reply(CONNS, where(step, CONNS)), b)));
                if (!b.equals(sl)) {
                    diff.append("job ").append(id).append(":\n").append(difference(b, sl)).append('\n');
                }
            }
            bean.close(CONNS);
            sluice.close(CONNS);
            if (diff.length() > 0) {
                fail(where(step, CONNS) + ": the recovered jobs differ\n" + diff + "conversation (seed " + seed + "):\n"
                        + log);
            }
        }

        private void send(int step, int c, String data) throws IOException, InterruptedException {
            String b = ids.forBeanstalkd(data);
            String s = ids.forSluice(data);
            note(step, c, b);
            if (rnd.nextInt(6) == 0 && b.length() > 1 && s.length() > 1) {
                // torn: the servers see the first part alone (a line or a body cut anywhere), then the rest
                int cutB = 1 + rnd.nextInt(b.length() - 1);
                int cutS = Math.min(cutB, s.length() - 1); // ids may have other lengths on the two sides
                bean.send(c, b.substring(0, cutB));
                sluice.send(c, s.substring(0, cutS));
                Thread.sleep(2);
                bean.send(c, b.substring(cutB));
                sluice.send(c, s.substring(cutS));
                return;
            }
            bean.send(c, b);
            sluice.send(c, s);
        }

        private void compare(int step, int c, int replies) throws IOException {
            for (int i = 0; i < replies; i++) {
                compareOne(step, c, "");
            }
            if (bean.ready(c) || sluice.ready(c)) {
                // more replies than the generator expected: compare those too, so neither side hides one
                compareOne(step, c, " (an extra reply)");
            }
        }

        private void compareOne(int step, int c, String what) throws IOException {
            String w = where(step, c) + what;
            String b = bean.reply(c, w);
            String s = sluice.reply(c, w);
            log.append("      beanstalkd: ").append(show(b.length() > 120 ? b.substring(0, 120) + "..." : b))
                    .append('\n');
            String nb = mask(Transcript.normalize(b));
            String ns = mask(Transcript.normalize(ids.sluiceReply(s, b)));
            if (!nb.equals(ns)) {
                fail(w + ": replies differ\n" + difference(nb, ns) + "\nconversation (seed " + seed + "):\n" + log);
            }
        }

        /**
         * After a restart, the order of {@code list-tubes}; and in the conversations across kills, {@code stats-job} values that differ on purpose after a restart:
         * {@code file} (which log file holds the job: the two logs are laid out differently); {@code buries}
         * (beanstalkd counts a recovered buried job's bury twice, PROTOCOL.md §8); {@code reserves} and
         * {@code timeouts}, which neither logs when they change: each recovers them as of the job's last write,
         * and beanstalkd also rewrites jobs when it moves them out of an old log file.
         */
        private String mask(String reply) {
            if (ids.restarted() && reply.startsWith("OK ") && reply.contains("\r\n---\n- ")) {
                // list-tubes: each server recreates the tubes in the order its own log names them
                int body = reply.indexOf("\r\n") + 2;
                List<String> names = new ArrayList<>(List.of(reply.substring(body + 4, reply.length() - 2).split("\n")));
                java.util.Collections.sort(names);
                return reply.substring(0, body) + "---\n" + String.join("\n", names) + "\n\r\n";
            }
            if (!ids.restarted() || !reply.startsWith("OK ") || !reply.contains("\nburies: ")) {
                return reply;
            }
            String yaml = reply.substring(reply.indexOf("\r\n") + 2).replaceAll("(?m)^(file|buries|reserves|timeouts): .*$",
                    "$1: *");
            return "OK " + (yaml.length() - 2) + "\r\n" + yaml;
        }

        /** Both replies, or for two YAML documents only the lines that differ. */
        private static String difference(String b, String s) {
            if (!b.startsWith("OK ") || !s.startsWith("OK ") || b.length() == s.length()) {
                return "  beanstalkd: " + show(b) + "\n  sluice:     " + show(s);
            }
            List<String> bl = List.of(b.split("\n"));
            List<String> sl = List.of(s.split("\n"));
            StringBuilder d = new StringBuilder();
            bl.stream().filter(l -> !sl.contains(l)).forEach(l -> d.append("  beanstalkd only: ").append(show(l)).append('\n'));
            sl.stream().filter(l -> !bl.contains(l)).forEach(l -> d.append("  sluice only:     ").append(show(l)).append('\n'));
            return d.toString();
        }

        private String where(int step, int c) {
            return "seed " + seed + " step " + step + " c" + c;
        }

        private void note(int step, int c, String data) {
            log.append(String.format("%4d c%d > %s%n", step, c, show(data)));
        }

        private static String show(String s) {
            return s.replace("\r", "\\r").replace("\n", "\\n");
        }

        // ------------------------------------------------------------ the vocabulary

        private static final String[] TUBES = {"default", "a", "b", "c"};
        private static final String[] BAD_TUBES = {"", "-x", "a b", "$", "x".repeat(201), "a\tb"};
        private static final String[] PRIS = {"0", "1", "1024", "2147483648", "4294967295", "4294967296", "-1", "x"};
        private static final String[] TTRS = {"60", "120", "4294967295"};

        private String tube() {
            return rnd.nextInt(20) == 0 ? pick(BAD_TUBES) : pick(TUBES);
        }

        private String pri() {
            return rnd.nextInt(6) == 0 ? pick(PRIS) : Integer.toString(rnd.nextInt(5));
        }

        private String delay() {
            return rnd.nextInt(6) == 0 ? "100" : "0";
        }

        private String id() {
            int r = rnd.nextInt(30);
            if (r == 0) {
                return pick(new String[] {"0", "-1", "abc", "18446744073709551615", "18446744073709551616", ""});
            }
            return ID + Integer.toString(1 + rnd.nextInt(puts + 2)) + ID; // beanstalkd's numbering, see IdMap
        }

        private String pick(String[] a) {
            return a[rnd.nextInt(a.length)];
        }

        /** Bytes to send and how many replies they get. */
        private record Cmd(String text, int replies) { }

        private Cmd command() {
            int r = rnd.nextInt(100);
            if (r < 22) {
                return put();
            }
            return new Cmd(simpleCommand(r), 1);
        }

        private String simpleCommand(int r) {
            if (r < 28) {
                return "use " + tube() + "\r\n";
            }
            if (r < 34) {
                return "watch " + tube() + "\r\n";
            }
            if (r < 38) {
                return "ignore " + tube() + "\r\n";
            }
            if (r < 46) {
                return "reserve-with-timeout 0\r\n";
            }
            if (r < 52) {
                return "delete " + id() + "\r\n";
            }
            if (r < 57) {
                // Across kills, no release with delay 0: beanstalkd does not log it (PROTOCOL.md §8).
                return "release " + id() + " " + pri() + " " + (killEvery > 0 ? "100" : delay()) + "\r\n";
            }
            if (r < 61) {
                return "bury " + id() + " " + pri() + "\r\n";
            }
            if (r < 63) {
                return "touch " + id() + "\r\n";
            }
            if (r < 66) {
                return "kick-job " + id() + "\r\n";
            }
            if (r < 69) {
                return "kick " + pick(new String[] {"0", "1", "2", "10", "-1", "x"}) + "\r\n";
            }
            if (r < 73) {
                return "peek " + id() + "\r\n";
            }
            if (r < 77) {
                return pick(new String[] {"peek-ready", "peek-delayed", "peek-buried"}) + "\r\n";
            }
            if (r < 80) {
                return "stats-job " + id() + "\r\n";
            }
            if (r < 83) {
                return "stats-tube " + tube() + "\r\n";
            }
            if (r < 85) {
                return "stats\r\n";
            }
            if (r < 88) {
                return pick(new String[] {"list-tubes", "list-tube-used", "list-tubes-watched"}) + "\r\n";
            }
            if (r < 90) {
                return "pause-tube " + tube() + " " + pick(new String[] {"0", "100", "x"}) + "\r\n";
            }
            if (r < 93) {
                return "reserve-job " + id() + "\r\n";
            }
            return garbage();
        }

        /**
         * A put. A valid header gets any body bytes (CR and LF included: the length frames them). A header that
         * fails before the body is read makes beanstalkd read the body as a command line, and a body one byte
         * too long leaves a line behind it: those get digits-only bodies, so that exactly one more reply
         * (UNKNOWN_COMMAND) follows, and no bare CR meets beanstalkd's line bug (PROTOCOL.md §1).
         */
        private Cmd put() {
            String pri = pri();
            boolean validPri = !pri.equals("-1") && !pri.equals("x") && !pri.equals("4294967296");
            int len = rnd.nextInt(8) == 0 ? MAX_JOB_SIZE - 2 + rnd.nextInt(5) : rnd.nextInt(12);
            if (killEvery > 0 && (len == MAX_JOB_SIZE || len == MAX_JOB_SIZE - 1)) {
                len = MAX_JOB_SIZE - 2; // beanstalkd cannot replay a job this close to the limit (PROTOCOL.md §8)
            }
            int r = rnd.nextInt(40);
            boolean tooLong = validPri && len <= MAX_JOB_SIZE && r == 0;
            byte[] body = new byte[len];
            for (int i = 0; i < len; i++) {
                body[i] = (byte) (validPri && rnd.nextInt(4) == 0 ? "\r\n \0".charAt(rnd.nextInt(4))
                        : validPri ? 'a' + rnd.nextInt(26) : '0' + rnd.nextInt(10));
            }
            String b = new String(body, StandardCharsets.ISO_8859_1);
            String ttr = rnd.nextInt(5) == 0 ? pick(TTRS) : "60";
            String header = "put " + pri + " " + delay() + " " + ttr + " " + len + "\r\n";
            if (r == 1) {
                return new Cmd("put " + pri + " " + delay() + "\r\n", 1);
            }
            if (!validPri) {
                return new Cmd(header + b + "\r\n", 2);
            }
            if (tooLong) {
                return new Cmd(header + b + "zz\r\n", 2); // EXPECTED_CRLF, then the CRLF as an empty line
            }
            if (len <= MAX_JOB_SIZE) {
                puts++;
            }
            return new Cmd(header + b + "\r\n", 1); // INSERTED, or JOB_TOO_BIG after swallowing the body
        }

        private String garbage() {
            return pick(new String[] {
                "PUT 0 0 60 1\r\n", "frobnicate\r\n", "\r\n", "use\r\n", "use  a\r\n", "watch\r\n",
                "delete\r\n", "release 1\r\n", "bury\r\n", "kick\r\n", "peek\r\n", "stats-tube\r\n",
                "reserve-with-timeout\r\n", "pause-tube a\r\n", "stats-job\r\n",
                "list-tubes extra\r\n", "stats extra\r\n", "delete 1 2\r\n", "use a \r\n", "touch\r\n",
                "kick-job\r\n", "peek-ready x\r\n"});
        }
    }

    /** Marks a job id in generated text: each server gets it in its own numbering ({@link IdMap}). */
    private static final String ID = "\u0007";
    private static final java.util.regex.Pattern MARKED_ID = java.util.regex.Pattern.compile(ID + "(\\d+)" + ID);
    private static final java.util.regex.Pattern REPLY_ID = java.util.regex.Pattern.compile(
            "^(INSERTED|RESERVED|FOUND|BURIED) (\\d+)|(?m)^id: (\\d+)$");

    /**
     * Job ids in the two numberings. Until the first restart they must be equal. After one, beanstalkd hands out
     * the ids of deleted jobs again and Sluice does not (PROTOCOL.md §8), so each job put after a restart is
     * known by the id each server gave it: commands name jobs by beanstalkd's id and Sluice gets its own; Sluice's
     * replies are translated back before the comparison. An id beanstalkd reuses names, in Sluice, a job that is
     * gone in both (only the ids of deleted jobs come back), so the newer meaning is the only one alive.
     */
    private static final class IdMap {
        private final java.util.Map<Long, Long> toSluice = new java.util.HashMap<>();
        private final java.util.Map<Long, Long> toBeanstalkd = new java.util.HashMap<>();
        private boolean restarted;

        void restart() {
            restarted = true;
        }

        boolean restarted() {
            return restarted;
        }

        String forBeanstalkd(String text) {
            return MARKED_ID.matcher(text).replaceAll("$1");
        }

        String forSluice(String text) {
            return MARKED_ID.matcher(text).replaceAll(m -> Long.toString(
                    toSluice.getOrDefault(Long.parseLong(m.group(1)), Long.parseLong(m.group(1)))));
        }

        /** Sluice's reply with its job ids in beanstalkd's numbering; learns the pair from an INSERTED. */
        String sluiceReply(String sluice, String beanstalkd) {
            java.util.regex.Matcher s = REPLY_ID.matcher(sluice);
            if (!s.find()) {
                return sluice;
            }
            int g = s.group(2) != null ? 2 : 3;
            long sid = Long.parseLong(s.group(g));
            java.util.regex.Matcher b = REPLY_ID.matcher(beanstalkd);
            if (restarted && sluice.startsWith("INSERTED ") && b.find() && beanstalkd.startsWith("INSERTED ")) {
                long bid = Long.parseLong(b.group(2));
                Long old = toSluice.put(bid, sid);
                if (old != null) {
                    toBeanstalkd.remove(old);
                }
                toBeanstalkd.put(sid, bid);
            }
            Long bid = toBeanstalkd.get(sid);
            if (bid == null) {
                return sluice;
            }
            return sluice.substring(0, s.start(g)) + bid + sluice.substring(s.end(g));
        }
    }

    /** One server's connections, opened on first use. */
    private static final class Side {
        private final String name;
        private final int port;
        /** The conversation's connections, and one more for {@code compareAllJobs}. */
        private final Socket[] conns = new Socket[CONNS + 1];

        Side(String name, int port) {
            this.name = name;
            this.port = port;
        }

        private Socket conn(int c) throws IOException {
            if (conns[c] == null) {
                Socket s = new Socket("127.0.0.1", port);
                s.setTcpNoDelay(true);
                s.setSoTimeout(3000);
                conns[c] = s;
            }
            return conns[c];
        }

        void send(int c, String data) throws IOException {
            conn(c).getOutputStream().write(data.getBytes(StandardCharsets.ISO_8859_1));
        }

        boolean ready(int c) throws IOException {
            return conns[c] != null && conns[c].getInputStream().available() > 0;
        }

        /** One whole reply: a line, and the body of OK / RESERVED / FOUND. */
        String reply(int c, String where) throws IOException {
            try {
                return Transcript.readReply(conn(c).getInputStream());
            } catch (IOException e) {
                fail(where + ": " + name + ": " + e.getMessage());
                return null;
            }
        }

        void expectClose(int c, String where) throws IOException {
            try {
                int ch = conn(c).getInputStream().read();
                if (ch >= 0) {
                    fail(where + ": " + name + " did not close the connection after quit");
                }
            } catch (SocketException reset) {
                // closed with a reset: also closed
            } catch (SocketTimeoutException e) {
                fail(where + ": " + name + " did not close the connection after quit");
            }
            close(c);
        }

        void close(int c) throws IOException {
            if (conns[c] != null) {
                conns[c].close();
                conns[c] = null;
            }
        }

        void close() throws IOException {
            for (int c = 0; c <= CONNS; c++) {
                close(c);
            }
        }
    }
}
