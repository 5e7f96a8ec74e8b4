#!/usr/bin/env python3
"""Replay compat fixtures (recorded from real beanstalkd by record.py) against any server.

Usage:
    python3 compat/replay.py HOST PORT fixture.json ...
    python3 compat/replay.py --spawn 'beanstalkd -l 127.0.0.1 -p {port}' fixture.json ...

With --spawn, CMD is started FRESH for every fixture (job ids and stats counters only match
on a fresh server): {port} is replaced by a free port in 20000-29999 and the fixture's
"args" (e.g. -z 10) are substituted for {args} or appended.  Readiness is detected from
/proc/net/tcp (LISTEN state) so that no probe connection disturbs total-connections.
Without --spawn all fixtures run against HOST PORT (only meaningful for a single fixture on a
fresh server); fixtures with non-empty args are skipped there.

Per step: send -> sendall; recv -> read as many reply frames as the expected data contains
(`OK <n>`, `RESERVED <id> <n>`, `FOUND <id> <n>` frames are read by their declared length,
other replies up to CRLF) with a timeout of waitMs + --timeout ms, and compare
normalize(expected) == normalize(got); noReply -> nothing may arrive within ms;
sleep; close; shutwr; expectClose -> EOF (or ECONNRESET) within --close-timeout ms with no
data before it.  After the last step no further bytes may arrive on open connections
within 100 ms.  Prints PASS/FAIL per fixture and `N passed, M failed` at the end; exit
status 1 if anything failed.
"""

import argparse
import concurrent.futures
import difflib
import json
import os
import re
import select
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from record import normalize, split_frames, start_server, stop_server  # noqa: E402

_FRAME_RE = re.compile(rb'^(OK|RESERVED \d+|FOUND \d+) (\d+)$')


class Fail(Exception):
    pass


class Conn:
    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port), timeout=5)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.setblocking(False)
        self.buf = bytearray()
        self.eof = False

    def _fill(self, deadline):
        """Read once; return False on timeout."""
        if self.eof:
            return False
        t = deadline - time.time()
        if t <= 0:
            return False
        r, _, _ = select.select([self.sock], [], [], t)
        if not r:
            return False
        try:
            chunk = self.sock.recv(65536)
        except ConnectionResetError:
            chunk = b''
        except BlockingIOError:
            return True
        if not chunk:
            self.eof = True
            return False
        self.buf += chunk
        return True

    def read_exact(self, n, deadline):
        while len(self.buf) < n:
            if not self._fill(deadline):
                break
        k = min(n, len(self.buf))
        out = bytes(self.buf[:k])
        del self.buf[:k]
        return out, k == n

    def read_line(self, deadline, limit):
        while True:
            j = self.buf.find(b'\r\n')
            if j >= 0:
                out = bytes(self.buf[:j + 2])
                del self.buf[:j + 2]
                return out, True
            if len(self.buf) > limit or not self._fill(deadline):
                out = bytes(self.buf)
                self.buf.clear()
                return out, False

    def read_frames(self, count, deadline, limit):
        got = bytearray()
        for _ in range(count):
            line, ok = self.read_line(deadline, limit)
            got += line
            if not ok:
                return bytes(got), False
            m = _FRAME_RE.match(line[:-2])
            if m:
                body, ok = self.read_exact(int(m.group(2)) + 2, deadline)
                got += body
                if not ok:
                    return bytes(got), False
        return bytes(got), True

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def _diff(exp, got):
    msg = ['      expected: %r' % exp, '      got:      %r' % got]
    ne, ng = normalize(exp), normalize(got)
    if b'\n' in ne and len(ne) > 80:
        d = difflib.unified_diff(
            [repr(x) for x in ne.split(b'\n')], [repr(x) for x in ng.split(b'\n')],
            'expected (normalized)', 'got (normalized)', lineterm='', n=1)
        msg += ['      ' + ln for ln in d]
    return '\n'.join(msg)


def run_fixture(fx, host, port, timeout_ms, close_ms):
    conns = {}

    def conn(n):
        if n not in conns:
            conns[n] = Conn(host, port)
        return conns[n]

    try:
        for i, st in enumerate(fx['steps']):
            n, op = st['conn'], st['op']
            where = 'step %d (c%d %s)' % (i + 1, n, op)
            c = conn(n)
            if op == 'send':
                data = st['data'].encode('latin-1')
                try:
                    c.sock.setblocking(True)
                    c.sock.sendall(data)
                except OSError as e:
                    raise Fail('%s: send %r failed: %s' % (where, data[:80], e))
                finally:
                    c.sock.setblocking(False)
            elif op == 'recv':
                exp = st['data'].encode('latin-1')
                deadline = time.time() + (st.get('waitMs', 0) + timeout_ms) / 1000.0
                count = split_frames(exp)
                if count is None:
                    got, ok = c.read_exact(len(exp), deadline)
                else:
                    got, ok = c.read_frames(count, deadline, len(exp) + 4096)
                if normalize(got) != normalize(exp):
                    why = 'connection closed' if c.eof else ('timeout' if not ok else 'mismatch')
                    raise Fail('%s: %s\n%s' % (where, why, _diff(exp, got)))
            elif op == 'noReply':
                deadline = time.time() + st['ms'] / 1000.0
                while not c.buf and not c.eof and c._fill(deadline):
                    pass
                if c.buf or c.eof:
                    raise Fail('%s: expected nothing for %d ms, got %r%s'
                               % (where, st['ms'], bytes(c.buf), ' + EOF' if c.eof else ''))
            elif op == 'sleep':
                time.sleep(st['ms'] / 1000.0)
            elif op == 'close':
                c.close()
                del conns[n]
            elif op == 'shutwr':
                c.sock.shutdown(socket.SHUT_WR)
            elif op == 'expectClose':
                deadline = time.time() + close_ms / 1000.0
                while not c.eof and c._fill(deadline):
                    pass
                if c.buf or not c.eof:
                    raise Fail('%s: expected server close, got %r%s'
                               % (where, bytes(c.buf), '' if c.eof else ' and no EOF'))
                c.close()
                del conns[n]
            else:
                raise Fail('%s: unknown op' % where)
        deadline = time.time() + 0.1
        for n, c in sorted(conns.items()):
            while not c.eof and c._fill(deadline):
                pass
            if c.buf:
                raise Fail('after last step: unexpected bytes on c%d: %r' % (n, bytes(c.buf)))
    finally:
        for c in conns.values():
            c.close()


def one(path, a):
    with open(path, encoding='utf-8') as fh:
        fx = json.load(fh)
    name = fx.get('name') or os.path.basename(path)
    t0 = time.time()
    proc = None
    try:
        if a.spawn:
            proc, port = start_server(a.spawn, fx.get('args', []), a.startup_timeout)
            host = '127.0.0.1'
        else:
            if fx.get('args'):
                return name, 'SKIP', 'needs server args %s (use --spawn)' % fx['args'], 0
            host, port = a.host, a.port
        run_fixture(fx, host, port, a.timeout, a.close_timeout)
        return name, 'PASS', '', time.time() - t0
    except Fail as e:
        return name, 'FAIL', str(e), time.time() - t0
    except Exception as e:  # noqa: BLE001
        return name, 'FAIL', '%s: %s' % (type(e).__name__, e), time.time() - t0
    finally:
        if proc is not None:
            stop_server(proc)


def main():
    ap = argparse.ArgumentParser(description='replay beanstalkd compat fixtures')
    ap.add_argument('--spawn', metavar='CMD', help="command started fresh per fixture, with {port} (and optional {args})")
    ap.add_argument('--timeout', type=int, default=3000, help='extra ms allowed per recv step (default 3000)')
    ap.add_argument('--close-timeout', type=int, default=3000, help='ms to wait for an expected close')
    ap.add_argument('--startup-timeout', type=float, default=30.0, help='s to wait for a spawned server to listen')
    ap.add_argument('-j', '--jobs', type=int, default=1, help='fixtures in parallel (needs --spawn)')
    ap.add_argument('rest', nargs='+', help='[HOST PORT] fixture.json ...')
    a = ap.parse_args()
    rest = a.rest
    if not a.spawn:
        if len(rest) < 3:
            ap.error('need HOST PORT fixtures... or --spawn CMD fixtures...')
        a.host, a.port, rest = rest[0], int(rest[1]), rest[2:]
    jobs = a.jobs if a.spawn else 1
    passed = failed = skipped = 0
    t0 = time.time()
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as ex:
        for name, status, msg, dt in ex.map(lambda p: one(p, a), rest):
            print('%s %-40s %5.2fs' % (status, name, dt))
            if msg:
                print(msg)
            sys.stdout.flush()
            if status == 'PASS':
                passed += 1
            elif status == 'FAIL':
                failed += 1
            else:
                skipped += 1
    print('# wall time %.1fs' % (time.time() - t0))
    print('%d passed, %d failed%s' % (passed, failed, ', %d skipped' % skipped if skipped else ''))
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
