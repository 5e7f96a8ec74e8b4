'use strict';
// Compatibility test: the unmodified `fivebeans` npm client against HOST PORT.
// usage: node fivebeans.js HOST PORT   (or BEANSTALKD_HOST / BEANSTALKD_PORT)
const FiveBeans = require('fivebeans').client;
const {
  target, step, fail, watchdog, eq, ok, bufEq, rejects, sleep,
  UTF8_BODY, CRLF_BODY, BIG_BODY, uniqueTube,
} = require('./common');

const PIPELINE_N = 500;

function connect(host, port) {
  return new Promise((resolve, reject) => {
    const c = new FiveBeans(host, port);
    c.once('connect', () => resolve(c));
    c.once('error', reject);
    c.connect();
  });
}

// fivebeans is callback based: cmd(args..., (err, ...results)). On an error
// reply the callback gets the reply word itself (e.g. 'TIMED_OUT').
function api(c) {
  return (method, ...args) => new Promise((resolve, reject) => {
    c[method](...args, (err, ...res) => (err ? reject(err) : resolve(res)));
  });
}

async function main() {
  watchdog();
  const { host, port } = target();
  const tube = uniqueTube('fivebeans');

  step('connect');
  const c = await connect(host, port);
  c.on('error', e => fail(`socket error: ${e.message}`));
  const p = api(c);

  step('use / list-tube-used');
  eq((await p('use', tube))[0], tube, 'use reply tube');
  eq((await p('list_tube_used'))[0], tube, 'list-tube-used');

  step('watch / ignore / list-tubes-watched');
  eq((await p('watch', tube))[0], '2', 'watch count');
  eq((await p('ignore', 'default'))[0], '1', 'ignore count');
  eq((await p('list_tubes_watched'))[0], [tube], 'list-tubes-watched');
  eq(await rejects(p('ignore', tube), 'ignore last watched tube'), 'NOT_IGNORED', 'ignore last tube');

  step('reserve-with-timeout on empty tube');
  eq(await rejects(p('reserve_with_timeout', 0), 'rwt 0'), 'TIMED_OUT', 'reserve-with-timeout 0');
  let t0 = Date.now();
  eq(await rejects(p('reserve_with_timeout', 1), 'rwt 1'), 'TIMED_OUT', 'reserve-with-timeout 1');
  ok(Date.now() - t0 >= 900, `reserve-with-timeout 1 returned after only ${Date.now() - t0}ms`);

  step('put');
  const [A] = await p('put', 100, 0, 60, CRLF_BODY);
  const [B] = await p('put', 10, 0, 60, 'high-10');
  const [C] = await p('put', 50, 0, 60, UTF8_BODY);
  const [D] = await p('put', 1000, 2, 60, 'delayed-2s');
  const [E] = await p('put', 200, 0, 60, BIG_BODY);
  const ids = [A, B, C, D, E].map(Number);
  ids.forEach((id, i) => ok(Number.isInteger(id) && id > 0 && String(id) === [A, B, C, D, E][i], `put returned non-numeric id ${[A, B, C, D, E][i]}`));
  for (let i = 1; i < ids.length; i++) ok(ids[i] > ids[i - 1], `job ids not increasing: ${ids}`);

  step('stats-tube after puts');
  let [st] = await p('stats_tube', tube);
  eq(st.name, tube, 'stats-tube name');
  eq([st['current-jobs-urgent'], st['current-jobs-ready'], st['current-jobs-reserved'],
    st['current-jobs-delayed'], st['current-jobs-buried'], st['total-jobs']],
  [4, 4, 0, 1, 0, 5], 'stats-tube urgent/ready/reserved/delayed/buried/total');
  eq([st['current-using'], st['current-watching'], st['current-waiting'], st.pause, st['cmd-delete']],
    [1, 1, 0, 0, 0], 'stats-tube using/watching/waiting/pause/cmd-delete');

  step('stats-job delayed job');
  let [sj] = await p('stats_job', D);
  eq([sj.id, sj.tube, sj.state, sj.pri, sj.delay, sj.ttr, sj.reserves, sj.kicks],
    [ids[3], tube, 'delayed', 1000, 2, 60, 0, 0], 'stats-job D id/tube/state/pri/delay/ttr/reserves/kicks');
  ok(sj['time-left'] >= 0 && sj['time-left'] <= 2, `stats-job D time-left ${sj['time-left']}`);

  step('peek variants');
  let [pid, pbody] = await p('peek_ready');
  eq(pid, B, 'peek-ready id (lowest pri)'); bufEq(pbody, Buffer.from('high-10'), 'peek-ready body');
  [pid, pbody] = await p('peek_delayed');
  eq(pid, D, 'peek-delayed id'); bufEq(pbody, Buffer.from('delayed-2s'), 'peek-delayed body');
  eq(await rejects(p('peek_buried'), 'peek-buried empty'), 'NOT_FOUND', 'peek-buried when none');
  [pid, pbody] = await p('peek', C);
  eq(pid, C, 'peek C id'); bufEq(pbody, UTF8_BODY, 'peek C utf8 body');
  [pid, pbody] = await p('peek', E);
  eq(pid, E, 'peek E id'); bufEq(pbody, BIG_BODY, 'peek E 60KB body');
  eq(await rejects(p('peek', 999999999), 'peek missing'), 'NOT_FOUND', 'peek missing id');

  step('reserve / touch / release with delay');
  let [rid, rbody] = await p('reserve');
  eq(rid, B, 'reserve picks lowest pri'); bufEq(rbody, Buffer.from('high-10'), 'reserve B body');
  [sj] = await p('stats_job', B);
  eq([sj.state, sj.reserves, sj.pri], ['reserved', 1, 10], 'stats-job B state/reserves/pri after reserve');
  ok(sj['time-left'] >= 58 && sj['time-left'] <= 60, `reserved time-left ${sj['time-left']}`);
  await p('touch', B);
  const tRelease = Date.now();
  await p('release', B, 10, 2);
  [sj] = await p('stats_job', B);
  eq([sj.state, sj.releases, sj.delay], ['delayed', 1, 2], 'stats-job B after release state/releases/delay');
  eq(await rejects(p('touch', B), 'touch unreserved'), 'NOT_FOUND', 'touch of a non-reserved job');
  eq(await rejects(p('release', B, 10, 0), 'release unreserved'), 'NOT_FOUND', 'release of a non-reserved job');

  step('reserve utf8 / bury / peek-buried');
  [rid, rbody] = await p('reserve');
  eq(rid, C, 'second reserve'); bufEq(rbody, UTF8_BODY, 'reserve C utf8 body');
  await p('bury', C, 50);
  [sj] = await p('stats_job', C);
  eq([sj.state, sj.buries], ['buried', 1], 'stats-job C state/buries after bury');
  [pid, pbody] = await p('peek_buried');
  eq(pid, C, 'peek-buried id'); bufEq(pbody, UTF8_BODY, 'peek-buried body');
  [st] = await p('stats_tube', tube);
  eq([st['current-jobs-ready'], st['current-jobs-reserved'], st['current-jobs-delayed'], st['current-jobs-buried']],
    [2, 0, 2, 1], 'stats-tube ready/reserved/delayed/buried after bury');

  step('reserve CRLF body / delete');
  [rid, rbody] = await p('reserve');
  eq(rid, A, 'third reserve'); bufEq(rbody, CRLF_BODY, 'reserve A body with embedded CRLF');
  await p('destroy', A);
  eq(await rejects(p('stats_job', A), 'stats-job deleted'), 'NOT_FOUND', 'stats-job of deleted job');
  eq(await rejects(p('destroy', A), 'delete twice'), 'NOT_FOUND', 'second delete');

  step('reserve 60KB body / delete');
  [rid, rbody] = await p('reserve');
  eq(rid, E, 'fourth reserve'); bufEq(rbody, BIG_BODY, 'reserve E 60KB body');
  await p('destroy', E);

  step('kick / kick-job');
  eq((await p('kick', 10))[0], '1', 'kick count (buried only while buried jobs exist)');
  [sj] = await p('stats_job', C);
  eq([sj.state, sj.kicks], ['ready', 1], 'stats-job C after kick');
  [rid] = await p('reserve');
  eq(rid, C, 'reserve kicked job');
  await p('bury', C, 50);
  await p('kick_job', C);
  [sj] = await p('stats_job', C);
  eq([sj.state, sj.kicks, sj.buries], ['ready', 2, 2], 'stats-job C after kick-job');
  eq(await rejects(p('kick_job', C), 'kick-job ready job'), 'NOT_FOUND', 'kick-job of a ready job');
  [rid] = await p('reserve');
  eq(rid, C, 'reserve C again');
  await p('destroy', C);
  await p('kick_job', D); // kick-job works on delayed jobs too
  [sj] = await p('stats_job', D);
  eq([sj.state, sj.kicks], ['ready', 1], 'stats-job D after kick-job of delayed job');
  [rid, rbody] = await p('reserve_with_timeout', 0);
  eq(rid, D, 'reserve kicked delayed job'); bufEq(rbody, Buffer.from('delayed-2s'), 'D body');
  await p('destroy', D);

  step('released job becomes ready after its delay');
  [rid] = await p('reserve_with_timeout', 5);
  eq(rid, B, 'reserve released job');
  ok(Date.now() - tRelease >= 1500, `released job (delay 2) became ready after only ${Date.now() - tRelease}ms`);
  [sj] = await p('stats_job', B);
  eq([sj.reserves, sj.releases], [2, 1], 'stats-job B reserves/releases');
  await p('destroy', B);

  step('blocked reserve on a second connection is woken by put');
  const c2 = await connect(host, port);
  c2.on('error', e => fail(`socket error (2nd conn): ${e.message}`));
  const p2 = api(c2);
  eq((await p2('watch', tube))[0], '2', 'conn2 watch');
  eq((await p2('ignore', 'default'))[0], '1', 'conn2 ignore');
  const waiting = p2('reserve_with_timeout', 5);
  await sleep(150);
  [st] = await p('stats_tube', tube);
  eq([st['current-waiting'], st['current-watching']], [1, 2], 'stats-tube waiting/watching with blocked reserver');
  const [W] = await p('put', 0, 0, 60, 'wake-up');
  [rid, rbody] = await waiting;
  eq(rid, W, 'woken reserve id'); bufEq(rbody, Buffer.from('wake-up'), 'woken reserve body');
  await p2('destroy', W);
  c2.end();

  step('pause-tube');
  await p('pause_tube', tube, 1);
  const tPause = Date.now();
  const [F] = await p('put', 5, 0, 60, 'after-pause');
  eq(await rejects(p('reserve_with_timeout', 0), 'rwt on paused tube'), 'TIMED_OUT', 'reserve on paused tube');
  [st] = await p('stats_tube', tube);
  eq([st.pause, st['cmd-pause-tube'], st['current-jobs-ready']], [1, 1, 1], 'stats-tube pause/cmd-pause-tube/ready');
  ok(st['pause-time-left'] >= 0 && st['pause-time-left'] <= 1, `pause-time-left ${st['pause-time-left']}`);
  [rid] = await p('reserve_with_timeout', 4);
  eq(rid, F, 'reserve after pause expires');
  ok(Date.now() - tPause >= 700, `paused tube served a job after only ${Date.now() - tPause}ms`);
  await p('destroy', F);
  eq(await rejects(p('pause_tube', `${tube}-nonexistent`, 1), 'pause missing tube'), 'NOT_FOUND', 'pause-tube of unknown tube');

  step(`pipelining: ${PIPELINE_N} puts in flight`);
  const bodies = [];
  for (let i = 0; i < PIPELINE_N; i++) bodies.push(Buffer.from(`pipelined job #${i} ${'x'.repeat(i % 97)} ✓`));
  const putResults = await Promise.all(bodies.map(b => p('put', 1000, 0, 60, b)));
  const pipeIds = putResults.map(r => r[0]);
  eq(new Set(pipeIds).size, PIPELINE_N, 'distinct ids from pipelined puts');
  const byId = new Map(pipeIds.map((id, i) => [id, bodies[i]]));
  for (let i = 1; i < pipeIds.length; i++) ok(Number(pipeIds[i]) > Number(pipeIds[i - 1]), 'pipelined ids out of order');
  [st] = await p('stats_tube', tube);
  eq(st['current-jobs-ready'], PIPELINE_N, 'ready count after pipelined puts');

  step(`pipelining: ${PIPELINE_N} reserves in flight, then ${PIPELINE_N} deletes in flight`);
  const reserved = await Promise.all(bodies.map(() => p('reserve_with_timeout', 5)));
  const seen = new Set();
  reserved.forEach(([id, body], i) => {
    ok(byId.has(id), `reserve #${i} returned unknown id ${id}`);
    ok(!seen.has(id), `job ${id} reserved twice`);
    seen.add(id);
    bufEq(body, byId.get(id), `pipelined body of job ${id}`);
  });
  eq(reserved.map(r => r[0]), pipeIds, 'FIFO order of equal-priority reserves');
  [st] = await p('stats_tube', tube);
  eq(st['current-jobs-reserved'], PIPELINE_N, 'reserved count');
  await Promise.all(pipeIds.map(id => p('destroy', id)));

  step('stats / list-tubes');
  const [stats] = await p('stats');
  eq(typeof stats.version, 'string', 'stats version must parse as a YAML string (quoted)');
  ok(stats['current-connections'] >= 1, 'stats current-connections');
  ok(stats['cmd-put'] >= PIPELINE_N + 7, `stats cmd-put ${stats['cmd-put']}`);
  ok(stats['total-jobs'] >= PIPELINE_N + 7, `stats total-jobs ${stats['total-jobs']}`);
  ok(Number.isInteger(stats.pid) && Number.isInteger(stats.uptime), 'stats pid/uptime integers');
  eq(stats.draining, false, 'stats draining');
  ok(stats['max-job-size'] >= BIG_BODY.length, 'stats max-job-size');
  const [tubes] = await p('list_tubes');
  ok(Array.isArray(tubes) && tubes.includes(tube) && tubes.includes('default'), `list-tubes ${JSON.stringify(tubes)}`);

  step('final stats-tube');
  [st] = await p('stats_tube', tube);
  const total = PIPELINE_N + 7;
  eq([st['current-jobs-urgent'], st['current-jobs-ready'], st['current-jobs-reserved'],
    st['current-jobs-delayed'], st['current-jobs-buried'], st['total-jobs'], st['cmd-delete']],
  [0, 0, 0, 0, 0, total, total], 'final stats-tube counts');

  step('quit');
  c.end();
}

main().then(() => process.exit(0), e => fail(e && e.stack ? e.stack : String(e)));
