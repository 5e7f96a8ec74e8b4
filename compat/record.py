#!/usr/bin/env python3
"""Record differential-compatibility fixtures from the REAL beanstalkd.

Usage:
    python3 compat/record.py [--beanstalkd PATH] [--out DIR] [--show] [scenario.scn ...]

Without scenario arguments every compat/scenarios/*.scn is recorded.  For each
scenario a FRESH `beanstalkd -l 127.0.0.1 -p <free port in 20000-29999>` is
started (in memory, no -b), the scenario is run against it, the fixture is
written to broker/src/test/resources/compat/<name>.json and the server is killed.

Scenario format (one step per line, see also compat/README.md)
---------------------------------------------------------------
    # comment                     ignored (also blank lines)
    #! -z 10                      extra beanstalkd arguments (only before the first step)
    cN> DATA                      send DATA on connection N (opened lazily on its first step).
                                  The single space after '>' is a separator and not sent.
                                  Escapes: \\r \\n \\t \\0 \\xHH \\\\ \\{ ; repetition: {TEXT*COUNT}
                                  sends TEXT (escapes allowed, no '*' '{' '}') COUNT times,
                                  e.g. `c0> {x*300}\\r\\n`.
                                  After the send the reply is read (first byte awaited 200 ms)
                                  until no byte arrives for 150 ms, or for 30 ms once the data
                                  ends on a complete reply frame, and stored as a recv step,
                                  unless the NEXT scenario step is noreply / wait / recv /
                                  expect-close on the same connection.
    cN wait MS                    await a (delayed) reply up to MS ms for its first byte, then read
                                  as above; recorded as recv with waitMs=MS.  Fails if
                                  nothing arrives.  `cN recv` is `cN wait 1000`.
    cN noreply MS                 assert nothing arrives on N within MS ms   -> noReply step
    cN sleep MS                   sleep MS ms                                 -> sleep step
    cN close                      close the socket                            -> close step
    cN shutwr                     shutdown(SHUT_WR) (half close)              -> shutwr step
    cN expect-close [MS]          assert the server closes N (recv()==b'' or ECONNRESET) within
                                  MS ms (default 3000); bytes received before the EOF are
                                  recorded as a recv step first          -> expectClose step
    A closed connection number may be used again: it is reopened lazily.
At the end every open connection is drained (150 ms) and any bytes are recorded.

Fixture JSON
------------
    {"name": ..., "args": ["-z","10"] or [], "steps": [
       {"conn":0,"op":"send","data":"..."},
       {"conn":0,"op":"recv","data":"...","waitMs":150},
       {"conn":0,"op":"sleep","ms":1200}, {"conn":0,"op":"close"}, {"conn":0,"op":"shutwr"},
       {"conn":0,"op":"expectClose"}, {"conn":0,"op":"noReply","ms":300}]}
Byte strings are JSON strings with one char per byte (latin-1).  recv data are the RAW
bytes received; a replayer must compare normalize(expected) with normalize(got) and must
read `OK <n>` / `RESERVED <id> <n>` / `FOUND <id> <n>` frames by their declared length
(stats values such as pid change length between runs).

normalize(data): in every `OK <n>\\r\\n<yaml>\\r\\n` frame the values of the volatile keys
pid, version, rusage-utime, rusage-stime, uptime, hostname, os, platform,
binlog-oldest-index, binlog-current-index, binlog-records-migrated,
binlog-records-written, binlog-max-size -- and `id` when the document is a server
`stats` document (it contains a `pid` key; the `id` of stats-job is kept) -- are
replaced by `*` and <n> is recomputed.  Everything else is compared byte for byte.
"""

import argparse
import glob
import json
import os
import random
import re
import select
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SCEN_DIR = os.path.join(HERE, 'scenarios')
OUT_DIR = os.path.join(ROOT, 'broker', 'src', 'test', 'resources', 'compat')

HOST = '127.0.0.1'
IDLE_MS = 150          # reply complete when nothing arrives for this long
FIRST_MS = 200         # after a send, wait this long for the first reply byte
SETTLE_MS = 30         # ... but only this long once the data ends on a complete frame
DEFAULT_CLOSE_MS = 3000

VOLATILE_KEYS = {
    b'pid', b'version', b'rusage-utime', b'rusage-stime', b'uptime', b'hostname', b'os',
    b'platform', b'binlog-oldest-index', b'binlog-current-index', b'binlog-records-migrated',
    b'binlog-records-written', b'binlog-max-size',
}

# ---------------------------------------------------------------------------
# normalization


_FRAME_RE = re.compile(rb'^(OK|RESERVED \d+|FOUND \d+) (\d+)$')


def _normalize_yaml(body: bytes) -> bytes:
    lines = body.split(b'\n')
    keys = {ln.split(b':', 1)[0] for ln in lines if b': ' in ln}
    vol = set(VOLATILE_KEYS)
    if b'pid' in keys:          # server stats document: `id` is the random server id
        vol.add(b'id')
    out = []
    for ln in lines:
        if b': ' in ln and not ln.startswith(b'- '):
            k = ln.split(b': ', 1)[0]
            if k in vol:
                ln = k + b': *'
        out.append(ln)
    return b'\n'.join(out)


def normalize(data: bytes) -> bytes:
    """Replace volatile stats values by `*` in every `OK <n>` frame; recompute <n>."""
    out = []
    i = 0
    n = len(data)
    while i < n:
        j = data.find(b'\r\n', i)
        if j < 0:
            out.append(data[i:])
            break
        line = data[i:j]
        m = _FRAME_RE.match(line)
        if m:
            size = int(m.group(2))
            body_start = j + 2
            body_end = body_start + size
            if body_end + 2 <= n and data[body_end:body_end + 2] == b'\r\n':
                body = data[body_start:body_end]
                if m.group(1) == b'OK' and body.startswith(b'---\n'):
                    body = _normalize_yaml(body)
                    out.append(b'OK %d\r\n' % len(body))
                else:
                    out.append(line + b'\r\n')
                out.append(body + b'\r\n')
                i = body_end + 2
                continue
        out.append(data[i:j + 2])
        i = j + 2
    return b''.join(out)


# ---------------------------------------------------------------------------
# scenario parsing

_REPEAT_RE = re.compile(r'\{([^{}*]+)\*(\d+)\}')


def unescape(s: str) -> bytes:
    out = bytearray()
    i = 0
    while i < len(s):
        c = s[i]
        if c == '\\':
            if i + 1 >= len(s):
                raise ValueError('dangling backslash in %r' % s)
            e = s[i + 1]
            if e == 'r':
                out += b'\r'
            elif e == 'n':
                out += b'\n'
            elif e == 't':
                out += b'\t'
            elif e == '0':
                out += b'\0'
            elif e == '\\':
                out += b'\\'
            elif e in '{}':
                out += e.encode()
            elif e == 'x':
                out.append(int(s[i + 2:i + 4], 16))
                i += 2
            else:
                raise ValueError('bad escape \\%s in %r' % (e, s))
            i += 2
        else:
            out += c.encode('latin-1')
            i += 1
    return bytes(out)


def expand(s: str) -> bytes:
    """Escapes + {TEXT*COUNT} repetition.  `\\{` is a literal brace."""
    out = bytearray()
    pos = 0
    for m in _REPEAT_RE.finditer(s):
        if m.start() > 0 and s[m.start() - 1] == '\\':
            continue
        out += unescape(s[pos:m.start()])
        out += unescape(m.group(1)) * int(m.group(2))
        pos = m.end()
    out += unescape(s[pos:])
    return bytes(out)


_STEP_RE = re.compile(r'^c(\d+)(>| +)(.*)$')


def parse_scenario(text: str):
    args = []
    steps = []
    for lineno, raw in enumerate(text.split('\n'), 1):
        line = raw[:-1] if raw.endswith('\r') else raw
        if line.startswith('#!'):
            if steps:
                raise ValueError('line %d: #! header after first step' % lineno)
            args += line[2:].split()
            continue
        if not line.strip() or line.lstrip().startswith('#'):
            continue
        m = _STEP_RE.match(line)
        if not m:
            raise ValueError('line %d: cannot parse %r' % (lineno, line))
        conn = int(m.group(1))
        if m.group(2) == '>':
            data = m.group(3)
            if data.startswith(' '):
                data = data[1:]
            steps.append({'conn': conn, 'op': 'send', 'data': expand(data)})
            continue
        words = m.group(3).split()
        if not words:
            raise ValueError('line %d: missing op' % lineno)
        op, rest = words[0], words[1:]

        def num(default=None):
            if rest:
                return int(rest[0])
            if default is None:
                raise ValueError('line %d: %s needs a number' % (lineno, op))
            return default
        if op == 'sleep':
            steps.append({'conn': conn, 'op': 'sleep', 'ms': num()})
        elif op == 'wait':
            steps.append({'conn': conn, 'op': 'wait', 'ms': num()})
        elif op == 'recv':
            steps.append({'conn': conn, 'op': 'wait', 'ms': num(1000)})
        elif op == 'noreply':
            steps.append({'conn': conn, 'op': 'noReply', 'ms': num()})
        elif op == 'close':
            steps.append({'conn': conn, 'op': 'close'})
        elif op == 'shutwr':
            steps.append({'conn': conn, 'op': 'shutwr'})
        elif op == 'expect-close':
            steps.append({'conn': conn, 'op': 'expectClose', 'ms': num(DEFAULT_CLOSE_MS)})
        else:
            raise ValueError('line %d: unknown op %r' % (lineno, op))
    return args, steps


# ---------------------------------------------------------------------------
# server management (shared with replay.py)

def _listening_ports():
    ports = set()
    for f in ('/proc/net/tcp', '/proc/net/tcp6'):
        try:
            with open(f) as fh:
                next(fh)
                for ln in fh:
                    parts = ln.split()
                    if parts[3] == '0A':  # TCP_LISTEN
                        ports.add(int(parts[1].rsplit(':', 1)[1], 16))
        except OSError:
            pass
    return ports


def free_port():
    used = _listening_ports()
    for _ in range(200):
        p = random.randint(20000, 29999)
        if p in used:
            continue
        s = socket.socket()
        try:
            s.bind((HOST, p))
            return p
        except OSError:
            continue
        finally:
            s.close()
    raise RuntimeError('no free port')


def wait_listening(proc, port, timeout=10.0):
    """Wait until `port` is in LISTEN state WITHOUT connecting (a probe connection would
    change total-connections).  Falls back to a fixed sleep without /proc."""
    if not os.path.exists('/proc/net/tcp'):
        time.sleep(min(timeout, 1.0))
        return
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError('server exited with %s' % proc.returncode)
        if port in _listening_ports():
            return
        time.sleep(0.01)
    raise RuntimeError('server did not listen on %d within %.0fs' % (port, timeout))


def start_server(cmd_template, args, timeout=10.0):
    port = free_port()
    cmd = cmd_template.replace('{port}', str(port))
    argstr = ' '.join(args)
    if '{args}' in cmd:
        cmd = cmd.replace('{args}', argstr)
    elif argstr:
        cmd = cmd + ' ' + argstr
    proc = subprocess.Popen(cmd, shell=True, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        wait_listening(proc, port, timeout)
    except Exception:
        stop_server(proc)
        raise
    return proc, port


def stop_server(proc):
    import signal
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        pass
    if proc.stderr:
        proc.stderr.close()


# ---------------------------------------------------------------------------
# recording

class ScenarioError(Exception):
    pass


def split_frames(data: bytes):
    """Number of complete reply frames in `data` (`OK <n>`, `RESERVED <id> <n>` and
    `FOUND <id> <n>` frames include their data block), or None if `data` does not end
    on a frame boundary."""
    count = 0
    i = 0
    while i < len(data):
        j = data.find(b'\r\n', i)
        if j < 0:
            return None
        m = _FRAME_RE.match(data[i:j])
        i = j + 2
        if m:
            end = i + int(m.group(2))
            if len(data) < end + 2 or data[end:end + 2] != b'\r\n':
                return None
            i = end + 2
        count += 1
    return count


def _read_until_idle(sock, first_ms, idle_ms=IDLE_MS, settle_ms=SETTLE_MS):
    """Wait up to first_ms for the first byte, then read until nothing more arrives for
    idle_ms -- or only settle_ms once the buffer ends on a complete reply frame (keeps
    recording about as fast as replaying, so `age`/`time-left` values agree).
    Returns (data, eof)."""
    buf = bytearray()
    wait = first_ms / 1000.0
    while True:
        r, _, _ = select.select([sock], [], [], wait)
        if not r:
            return bytes(buf), False
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            return bytes(buf), True
        if not chunk:
            return bytes(buf), True
        buf += chunk
        wait = (settle_ms if split_frames(bytes(buf)) else idle_ms) / 1000.0


def record(scn_path, beanstalkd='/usr/bin/beanstalkd', out_dir=OUT_DIR):
    name = os.path.splitext(os.path.basename(scn_path))[0]
    with open(scn_path, encoding='latin-1') as fh:
        args, steps = parse_scenario(fh.read())
    proc, port = start_server(beanstalkd + ' -l 127.0.0.1 -p {port}', args)
    out = []
    conns = {}
    eof = set()

    def conn(n):
        if n not in conns:
            s = socket.create_connection((HOST, port), timeout=5)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conns[n] = s
            eof.discard(n)
        return conns[n]

    def add_recv(n, data, wait_ms):
        if data:
            out.append({'conn': n, 'op': 'recv', 'data': data.decode('latin-1'), 'waitMs': wait_ms})

    try:
        for i, st in enumerate(steps):
            n, op = st['conn'], st['op']
            where = '%s step %d (%s c%d)' % (name, i + 1, op, n)
            if op == 'send':
                s = conn(n)
                out.append({'conn': n, 'op': 'send', 'data': st['data'].decode('latin-1')})
                try:
                    s.sendall(st['data'])
                except OSError as e:
                    raise ScenarioError('%s: send failed: %s' % (where, e))
                nxt = steps[i + 1] if i + 1 < len(steps) else None
                if nxt and nxt['conn'] == n and nxt['op'] in ('noReply', 'wait', 'expectClose'):
                    continue
                data, closed = _read_until_idle(s, FIRST_MS)
                add_recv(n, data, IDLE_MS)
                if closed:
                    eof.add(n)
                    if not (nxt and nxt['conn'] == n and nxt['op'] in ('expectClose', 'close')):
                        raise ScenarioError('%s: server closed the connection unexpectedly '
                                            '(add expect-close); got %r' % (where, data))
            elif op == 'wait':
                s = conn(n)
                data, closed = _read_until_idle(s, st['ms'])
                if not data:
                    raise ScenarioError('%s: nothing arrived within %d ms' % (where, st['ms']))
                add_recv(n, data, st['ms'])
                if closed:
                    eof.add(n)
            elif op == 'noReply':
                s = conn(n)
                r, _, _ = select.select([s], [], [], st['ms'] / 1000.0)
                if r:
                    data, closed = _read_until_idle(s, 0)
                    raise ScenarioError('%s: expected no reply, got %r%s'
                                        % (where, data, ' + EOF' if closed else ''))
                out.append({'conn': n, 'op': 'noReply', 'ms': st['ms']})
            elif op == 'sleep':
                conn(n)
                time.sleep(st['ms'] / 1000.0)
                out.append({'conn': n, 'op': 'sleep', 'ms': st['ms']})
            elif op == 'close':
                conn(n).close()
                del conns[n]
                out.append({'conn': n, 'op': 'close'})
            elif op == 'shutwr':
                conn(n).shutdown(socket.SHUT_WR)
                out.append({'conn': n, 'op': 'shutwr'})
            elif op == 'expectClose':
                s = conn(n)
                if n not in eof:
                    deadline = time.time() + st['ms'] / 1000.0
                    buf = bytearray()
                    closed = False
                    while time.time() < deadline:
                        r, _, _ = select.select([s], [], [], max(0.0, deadline - time.time()))
                        if not r:
                            break
                        try:
                            chunk = s.recv(65536)
                        except ConnectionResetError:
                            closed = True
                            break
                        if not chunk:
                            closed = True
                            break
                        buf += chunk
                    add_recv(n, bytes(buf), st['ms'])
                    if not closed:
                        raise ScenarioError('%s: connection not closed within %d ms (got %r)'
                                            % (where, st['ms'], bytes(buf)))
                s.close()
                del conns[n]
                out.append({'conn': n, 'op': 'expectClose'})
            else:
                raise ScenarioError('%s: unknown op' % where)
        # final drain
        for n in sorted(conns):
            data, closed = _read_until_idle(conns[n], IDLE_MS)
            add_recv(n, data, IDLE_MS)
            if closed:
                raise ScenarioError('%s: c%d closed by server at end (add expect-close)' % (name, n))
    finally:
        for s in conns.values():
            s.close()
        stop_server(proc)
    fixture = {'name': name, 'args': args, 'steps': out}
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, name + '.json')
    with open(path, 'w', encoding='utf-8') as fh:
        json.dump(fixture, fh, indent=1, ensure_ascii=True)
        fh.write('\n')
    return path, fixture


def main():
    ap = argparse.ArgumentParser(description='record compat fixtures from real beanstalkd')
    ap.add_argument('--beanstalkd', default='/usr/bin/beanstalkd')
    ap.add_argument('--show', action='store_true', help='print each transcript')
    ap.add_argument('--out', default=OUT_DIR, help='output directory (default %(default)s)')
    ap.add_argument('scenarios', nargs='*')
    a = ap.parse_args()
    files = a.scenarios or sorted(glob.glob(os.path.join(SCEN_DIR, '*.scn')))
    failed = 0
    for f in files:
        try:
            path, fx = record(f, a.beanstalkd, a.out)
            print('recorded %-40s %3d steps' % (fx['name'], len(fx['steps'])))
            if a.show:
                for st in fx['steps']:
                    d = dict(st)
                    conn = d.pop('conn')
                    op = d.pop('op')
                    if 'data' in d:
                        d['data'] = d['data'].encode('latin-1')
                    print('   c%d %-11s %s' % (conn, op, ' '.join('%s=%r' % kv for kv in d.items())))
        except (ScenarioError, ValueError, RuntimeError, OSError) as e:
            failed += 1
            print('ERROR %s: %s' % (f, e), file=sys.stderr)
    print('%d recorded, %d errors' % (len(files) - failed, failed))
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
