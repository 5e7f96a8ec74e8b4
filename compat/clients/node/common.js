'use strict';
// Shared helpers for the node client compatibility scripts.
// Only assertion/timing helpers live here: every protocol interaction in the
// scripts goes through the client library's own API.

const assert = require('assert');

function target() {
  const host = process.argv[2] || process.env.BEANSTALKD_HOST || '127.0.0.1';
  const port = parseInt(process.argv[3] || process.env.BEANSTALKD_PORT || '11300', 10);
  if (!Number.isInteger(port) || port <= 0) fail(`bad port: ${process.argv[3] || process.env.BEANSTALKD_PORT}`);
  return { host, port };
}

let currentStep = 'startup';
function step(name) {
  currentStep = name;
  if (process.env.COMPAT_VERBOSE) console.error(`  .. ${name}`);
}

function fail(msg) {
  console.error(`FAIL [step: ${currentStep}]: ${msg}`);
  process.exit(1);
}

// Hard deadline so nothing can hang forever (default 20 s).
function watchdog(seconds) {
  const s = seconds || parseInt(process.env.COMPAT_TIMEOUT || '20', 10);
  const t = setTimeout(() => fail(`timed out after ${s}s (library call never completed)`), s * 1000);
  t.unref();
  return t;
}

function eq(actual, expected, what) {
  try {
    assert.deepStrictEqual(actual, expected);
  } catch (e) {
    fail(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

function ok(cond, what) {
  if (!cond) fail(what);
}

function bufEq(actual, expected, what) {
  ok(Buffer.isBuffer(actual), `${what}: expected a Buffer payload, got ${typeof actual}`);
  if (!actual.equals(expected)) {
    let i = 0;
    while (i < Math.min(actual.length, expected.length) && actual[i] === expected[i]) i++;
    fail(`${what}: body mismatch (expected ${expected.length} bytes, got ${actual.length}; first difference at byte ${i})`);
  }
}

// Expect a promise to reject; returns the error.
async function rejects(promise, what) {
  try {
    const v = await promise;
    fail(`${what}: expected an error reply, got success ${JSON.stringify(v)}`);
  } catch (e) {
    return e;
  }
}

const sleep = ms => new Promise(r => setTimeout(r, ms));

// Test bodies.
const UTF8_BODY = Buffer.from('héllo wörld ✓ 日本語 🚀 Ωμέγα — ünïcödé', 'utf8');
const CRLF_BODY = Buffer.from('low\r\npri 100\r\n', 'utf8'); // CRLF inside a body must not confuse framing
// 60 KB (61440 bytes) binary body, includes NUL, CR, LF, high bytes.
const BIG_BODY = (() => {
  const b = Buffer.alloc(60 * 1024);
  for (let i = 0; i < b.length; i++) b[i] = (i * 31 + 7 + (i >> 10)) & 0xff;
  return b;
})();

// 60 KB (exactly 61440 UTF-8 bytes) text body for libraries that only accept
// strings (jackd JSON-stringifies Buffer payloads). Mixes 1-4 byte UTF-8
// sequences and embedded CRLFs.
const BIG_TEXT = (() => {
  const target = 60 * 1024;
  let s = '';
  let i = 0;
  const seg = n => `line ${n}: ünïcödé ✓ 日本 🚀\r\n`;
  while (Buffer.byteLength(s + seg(i)) <= target) s += seg(i++);
  while (Buffer.byteLength(s) < target) s += '.';
  return s;
})();

function uniqueTube(lib) {
  return `sluice-${lib}-${process.pid}-${Date.now()}`;
}

module.exports = {
  target, step, fail, watchdog, eq, ok, bufEq, rejects, sleep,
  UTF8_BODY, CRLF_BODY, BIG_BODY, BIG_TEXT, uniqueTube,
};
