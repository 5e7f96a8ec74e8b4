<?php
// Compatibility test: the unmodified Pheanstalk 4 library (Debian
// php-pda-pheanstalk) against HOST PORT.
// usage: php pheanstalk.php HOST PORT   (or BEANSTALKD_HOST / BEANSTALKD_PORT)
//
// Pheanstalk parses YAML replies by hand: every value comes back as the raw
// string after "key: " (quotes are NOT stripped), so the assertions below
// compare exact strings, which pins the server's formatting.

declare(strict_types=1);

$autoloaders = [
    '/usr/share/php/Pheanstalk/autoload.php', // Debian php-pda-pheanstalk
];
$loaded = false;
foreach ($autoloaders as $a) {
    if (is_file($a)) {
        require $a;
        $loaded = true;
        break;
    }
}
if (!$loaded) {
    fwrite(STDERR, "FAIL: Pheanstalk autoloader not found (install php-pda-pheanstalk)\n");
    exit(2);
}

use Pheanstalk\Pheanstalk;
use Pheanstalk\JobId;
use Pheanstalk\Exception\JobNotFoundException;
use Pheanstalk\Exception\ServerException;

const PIPE_N = 100; // Pheanstalk is strictly request/response; no pipelining possible

// Hard watchdog: with no SIGALRM handler installed the kernel kills us.
// (Pheanstalk's socket read loop can spin forever on EOF, so a PHP-level
// timeout would not be enough.)
$timeout = (int)(getenv('COMPAT_TIMEOUT') ?: 20);
if (function_exists('pcntl_alarm')) {
    pcntl_alarm($timeout);
}

final class CompatFailure extends \Exception {}

$GLOBALS['step'] = 'startup';
function step(string $name): void
{
    $GLOBALS['step'] = $name;
    if (getenv('COMPAT_VERBOSE')) {
        fwrite(STDERR, "  .. $name\n");
    }
}
function fail(string $msg): void
{
    throw new CompatFailure($msg);
}
function eq($actual, $expected, string $what): void
{
    if ($actual !== $expected) {
        fail(sprintf('%s: expected %s, got %s', $what, json_encode($expected, JSON_UNESCAPED_UNICODE), json_encode($actual, JSON_UNESCAPED_UNICODE)));
    }
}
function ok(bool $cond, string $what): void
{
    if (!$cond) {
        fail($what);
    }
}
function body_eq(?string $actual, string $expected, string $what): void
{
    if ($actual === $expected) {
        return;
    }
    $a = (string)$actual;
    $n = min(strlen($a), strlen($expected));
    $i = 0;
    while ($i < $n && $a[$i] === $expected[$i]) {
        $i++;
    }
    fail(sprintf('%s: body mismatch (expected %d bytes, got %d; first difference at byte %d)', $what, strlen($expected), strlen($a), $i));
}
function expect_error(string $class, string $what, callable $fn): \Throwable
{
    try {
        $r = $fn();
    } catch (\Throwable $e) {
        if ($e instanceof CompatFailure) {
            throw $e;
        }
        if (!($e instanceof $class)) {
            fail(sprintf('%s: expected %s, got %s: %s', $what, $class, get_class($e), $e->getMessage()));
        }
        return $e;
    }
    fail(sprintf('%s: expected %s, got a success reply', $what, $class));
}
function stat_vals($resp, array $keys): array
{
    $out = [];
    foreach ($keys as $k) {
        $out[] = $resp[$k] ?? null;
    }
    return $out;
}

$host = $argv[1] ?? (getenv('BEANSTALKD_HOST') ?: '127.0.0.1');
$port = (int)($argv[2] ?? (getenv('BEANSTALKD_PORT') ?: '11300'));
$tube = sprintf('sluice-pheanstalk-%d-%d', getmypid(), (int)(microtime(true) * 1000));

const UTF8_BODY = 'héllo wörld ✓ 日本語 🚀 Ωμέγα — ünïcödé';
const CRLF_BODY = "low\r\npri 100\r\n";
$big = '';
for ($i = 0; $i < 60 * 1024; $i++) {
    $big .= chr(($i * 31 + 7 + ($i >> 10)) & 0xff); // binary: has NUL/CR/LF
}
define('BIG_BODY', $big);

function main(string $host, int $port, string $tube): void
{
    step('connect');
    $p = Pheanstalk::create($host, $port, 5);

    step('use / list-tube-used');
    $p->useTube($tube);
    eq($p->listTubeUsed(true), $tube, 'list-tube-used');

    step('watch / ignore / list-tubes-watched');
    $p->watch($tube);
    $p->ignore('default');
    eq($p->listTubesWatched(true), [$tube], 'list-tubes-watched');
    expect_error(ServerException::class, 'ignore last watched tube', fn() => $p->ignore($tube));
    // Pheanstalk only forgets the tube locally after a successful reply.
    eq($p->listTubesWatched(true), [$tube], 'list-tubes-watched after NOT_IGNORED');

    step('reserve-with-timeout on empty tube');
    eq($p->reserveWithTimeout(0), null, 'reserve-with-timeout 0');
    $t0 = microtime(true);
    eq($p->reserveWithTimeout(1), null, 'reserve-with-timeout 1');
    ok(microtime(true) - $t0 >= 0.9, 'reserve-with-timeout 1 returned too early');

    step('put');
    $a = $p->put(CRLF_BODY, 100, 0, 60);
    $b = $p->put('high-10', 10, 0, 60);
    $c = $p->put(UTF8_BODY, 50, 0, 60);
    $d = $p->put('delayed-2s', 1000, 2, 60);
    $e = $p->put(BIG_BODY, 200, 0, 60);
    $ids = array_map(fn($j) => $j->getId(), [$a, $b, $c, $d, $e]);
    for ($i = 1; $i < count($ids); $i++) {
        ok($ids[$i] > $ids[$i - 1], 'job ids not increasing: ' . implode(',', $ids));
    }

    step('stats-tube after puts');
    $st = $p->statsTube($tube);
    eq($st['name'], $tube, 'stats-tube name');
    eq(stat_vals($st, ['current-jobs-urgent', 'current-jobs-ready', 'current-jobs-reserved', 'current-jobs-delayed', 'current-jobs-buried', 'total-jobs']),
        ['4', '4', '0', '1', '0', '5'], 'stats-tube urgent/ready/reserved/delayed/buried/total');
    eq(stat_vals($st, ['current-using', 'current-watching', 'current-waiting', 'pause', 'cmd-delete']),
        ['1', '1', '0', '0', '0'], 'stats-tube using/watching/waiting/pause/cmd-delete');
    eq($st->current_jobs_ready, '4', 'ArrayResponse property access');

    step('stats-job delayed job');
    $sj = $p->statsJob($d);
    eq(stat_vals($sj, ['id', 'tube', 'state', 'pri', 'delay', 'ttr', 'reserves', 'kicks']),
        [(string)$d->getId(), $tube, 'delayed', '1000', '2', '60', '0', '0'], 'stats-job D id/tube/state/pri/delay/ttr/reserves/kicks');

    step('peek variants');
    $pk = $p->peekReady();
    eq($pk ? $pk->getId() : null, $b->getId(), 'peek-ready id (lowest pri)');
    body_eq($pk->getData(), 'high-10', 'peek-ready body');
    $pk = $p->peekDelayed();
    eq($pk ? $pk->getId() : null, $d->getId(), 'peek-delayed id');
    body_eq($pk->getData(), 'delayed-2s', 'peek-delayed body');
    eq($p->peekBuried(), null, 'peek-buried when none');
    $pk = $p->peek($c);
    eq($pk->getId(), $c->getId(), 'peek C id');
    body_eq($pk->getData(), UTF8_BODY, 'peek C utf8 body');
    body_eq($p->peek(new JobId($e->getId()))->getData(), BIG_BODY, 'peek E 60KB body');
    expect_error(JobNotFoundException::class, 'peek missing id', fn() => $p->peek(new JobId(999999999)));

    step('reserve / touch / release with delay');
    $jb = $p->reserve();
    eq($jb->getId(), $b->getId(), 'reserve picks lowest pri');
    body_eq($jb->getData(), 'high-10', 'reserve B body');
    $sj = $p->statsJob($jb);
    eq(stat_vals($sj, ['state', 'reserves', 'pri']), ['reserved', '1', '10'], 'stats-job B after reserve');
    ok((int)$sj['time-left'] >= 58 && (int)$sj['time-left'] <= 60, 'reserved time-left ' . $sj['time-left']);
    $p->touch($jb);
    $tRelease = microtime(true);
    $p->release($jb, 10, 2);
    $sj = $p->statsJob($jb);
    eq(stat_vals($sj, ['state', 'releases', 'delay']), ['delayed', '1', '2'], 'stats-job B after release');
    expect_error(JobNotFoundException::class, 'touch of a non-reserved job', fn() => $p->touch($jb));
    expect_error(JobNotFoundException::class, 'release of a non-reserved job', fn() => $p->release($jb));

    step('reserve utf8 / bury / peek-buried');
    $jc = $p->reserve();
    eq($jc->getId(), $c->getId(), 'second reserve');
    body_eq($jc->getData(), UTF8_BODY, 'reserve C utf8 body');
    $p->bury($jc, 50);
    eq(stat_vals($p->statsJob($jc), ['state', 'buries', 'pri']), ['buried', '1', '50'], 'stats-job C after bury');
    $pk = $p->peekBuried();
    eq($pk ? $pk->getId() : null, $c->getId(), 'peek-buried id');
    body_eq($pk->getData(), UTF8_BODY, 'peek-buried body');
    eq(stat_vals($p->statsTube($tube), ['current-jobs-ready', 'current-jobs-reserved', 'current-jobs-delayed', 'current-jobs-buried']),
        ['2', '0', '2', '1'], 'stats-tube ready/reserved/delayed/buried after bury');

    step('reserve CRLF body / delete');
    $ja = $p->reserveWithTimeout(5);
    eq($ja ? $ja->getId() : null, $a->getId(), 'third reserve');
    body_eq($ja->getData(), CRLF_BODY, 'reserve A body with embedded CRLF');
    $p->delete($ja);
    expect_error(ServerException::class, 'stats-job of deleted job', fn() => $p->statsJob($ja));
    expect_error(JobNotFoundException::class, 'second delete', fn() => $p->delete($ja));

    step('reserve 60KB body / delete');
    $je = $p->reserveWithTimeout(5);
    eq($je ? $je->getId() : null, $e->getId(), 'fourth reserve');
    body_eq($je->getData(), BIG_BODY, 'reserve E 60KB body');
    $p->delete($je);

    step('kick / kick-job');
    eq($p->kick(10), 1, 'kick count (buried only while buried jobs exist)');
    eq(stat_vals($p->statsJob($c), ['state', 'kicks']), ['ready', '1'], 'stats-job C after kick');
    $jc = $p->reserveWithTimeout(5);
    eq($jc->getId(), $c->getId(), 'reserve kicked job');
    $p->bury($jc);
    $p->kickJob($jc);
    eq(stat_vals($p->statsJob($jc), ['state', 'kicks', 'buries', 'pri']), ['ready', '2', '2', '1024'], 'stats-job C after kick-job');
    expect_error(JobNotFoundException::class, 'kick-job of a ready job', fn() => $p->kickJob($jc));
    $jc = $p->reserveWithTimeout(5);
    eq($jc->getId(), $c->getId(), 'reserve C again');
    $p->delete($jc);
    $p->kickJob($d); // kick-job works on delayed jobs too
    eq(stat_vals($p->statsJob($d), ['state', 'kicks']), ['ready', '1'], 'stats-job D after kick-job of delayed job');
    $jd = $p->reserveWithTimeout(0);
    eq($jd ? $jd->getId() : null, $d->getId(), 'reserve kicked delayed job');
    body_eq($jd->getData(), 'delayed-2s', 'D body');
    $p->delete($jd);

    step('released job becomes ready after its delay');
    $jb = $p->reserveWithTimeout(5);
    eq($jb ? $jb->getId() : null, $b->getId(), 'reserve released job');
    ok(microtime(true) - $tRelease >= 1.5, 'released job (delay 2) became ready too early');
    eq(stat_vals($p->statsJob($jb), ['reserves', 'releases']), ['2', '1'], 'stats-job B reserves/releases');
    $p->delete($jb);

    step('blocked reserve on a second connection is woken by put');
    if (function_exists('pcntl_fork')) {
        $pid = pcntl_fork();
        if ($pid === 0) {
            // child: its own connection, blocks in reserve-with-timeout
            pcntl_alarm(10);
            try {
                $q = Pheanstalk::create($host, $port, 5);
                $q->watchOnly($tube);
                $j = $q->reserveWithTimeout(5);
                if ($j === null || $j->getData() !== 'wake-up') {
                    exit(3);
                }
                $q->delete($j);
                exit(0);
            } catch (\Throwable $t) {
                fwrite(STDERR, 'child: ' . $t->getMessage() . "\n");
                exit(4);
            }
        }
        ok($pid > 0, 'pcntl_fork failed');
        $waited = 0.0;
        do { // wait until the child is blocked in reserve
            usleep(50000);
            $waited += 0.05;
            $st = $p->statsTube($tube);
        } while ($st['current-waiting'] !== '1' && $waited < 3);
        eq(stat_vals($st, ['current-waiting', 'current-watching']), ['1', '2'], 'stats-tube waiting/watching with blocked reserver');
        $w = $p->put('wake-up', 0);
        pcntl_waitpid($pid, $status);
        eq(pcntl_wifexited($status) ? pcntl_wexitstatus($status) : -1, 0, 'child reserver exit status (3 = wrong/no job)');
        expect_error(ServerException::class, 'woken job deleted by child', fn() => $p->statsJob($w));
    } else {
        fwrite(STDERR, "  (pcntl not available: skipping blocked-reserve check)\n");
        $w = $p->put('wake-up', 0);
        $p->delete($p->reserve());
    }

    step('pause-tube');
    $p->pauseTube($tube, 1);
    $tPause = microtime(true);
    $f = $p->put('after-pause', 5);
    eq($p->reserveWithTimeout(0), null, 'reserve on paused tube');
    eq(stat_vals($p->statsTube($tube), ['pause', 'cmd-pause-tube', 'current-jobs-ready']), ['1', '1', '1'], 'stats-tube pause/cmd-pause-tube/ready');
    $jf = $p->reserveWithTimeout(4);
    eq($jf ? $jf->getId() : null, $f->getId(), 'reserve after pause expires');
    ok(microtime(true) - $tPause >= 0.7, 'paused tube served a job too early');
    $p->delete($jf);
    expect_error(ServerException::class, 'pause-tube of unknown tube', fn() => $p->pauseTube($tube . '-nonexistent', 1));

    step(PIPE_N . ' jobs round trip');
    $bodies = [];
    $pids = [];
    for ($i = 0; $i < PIPE_N; $i++) {
        $bodies[$i] = "job #$i " . str_repeat('x', $i % 97) . ' ✓';
        $pids[$i] = $p->put($bodies[$i], 1000)->getId();
    }
    eq(count(array_unique($pids)), PIPE_N, 'distinct ids');
    for ($i = 0; $i < PIPE_N; $i++) {
        $j = $p->reserveWithTimeout(5);
        eq($j ? $j->getId() : null, $pids[$i], "FIFO reserve #$i");
        body_eq($j->getData(), $bodies[$i], 'body of job ' . $pids[$i]);
        $p->delete($j);
    }

    step('stats / list-tubes');
    $s = $p->stats();
    ok((bool)preg_match('/^"[^"\s]+"$/', (string)$s['version']), 'stats version must be a double-quoted string, got ' . json_encode($s['version']));
    ok((int)$s['current-connections'] >= 1, 'stats current-connections');
    ok((int)$s['cmd-put'] >= PIPE_N + 7, 'stats cmd-put ' . $s['cmd-put']);
    ok(ctype_digit((string)$s['pid']) && ctype_digit((string)$s['uptime']), 'stats pid/uptime integers');
    eq($s['draining'], 'false', 'stats draining');
    $tubes = $p->listTubes();
    ok(in_array($tube, $tubes, true) && in_array('default', $tubes, true), 'list-tubes ' . json_encode($tubes));

    step('final stats-tube');
    $total = (string)(PIPE_N + 7);
    eq(stat_vals($p->statsTube($tube), ['current-jobs-urgent', 'current-jobs-ready', 'current-jobs-reserved', 'current-jobs-delayed', 'current-jobs-buried', 'total-jobs', 'cmd-delete']),
        ['0', '0', '0', '0', '0', $total, $total], 'final stats-tube counts');
}

try {
    main($host, $port, $tube);
    exit(0);
} catch (CompatFailure $e) {
    fwrite(STDERR, sprintf("FAIL [step: %s]: %s\n", $GLOBALS['step'], $e->getMessage()));
} catch (\Throwable $e) {
    fwrite(STDERR, sprintf("FAIL [step: %s]: %s: %s at %s:%d\n", $GLOBALS['step'], get_class($e), $e->getMessage(), $e->getFile(), $e->getLine()));
}
exit(1);
