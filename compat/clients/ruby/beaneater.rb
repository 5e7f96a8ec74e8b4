# frozen_string_literal: true
# Compatibility test: the unmodified `beaneater` gem (Debian ruby-beaneater)
# against HOST PORT.
# usage: ruby beaneater.rb HOST PORT   (or BEANSTALKD_HOST / BEANSTALKD_PORT)
require 'beaneater'
require 'timeout'

PIPE_N = 100 # beaneater is strictly request/response; no pipelining possible

$step = 'startup'
def step(name)
  $step = name
  warn "  .. #{name}" if ENV['COMPAT_VERBOSE']
end

class CompatFailure < StandardError; end

def fail!(msg)
  raise CompatFailure, msg
end

def eq(actual, expected, what)
  fail!("#{what}: expected #{expected.inspect}, got #{actual.inspect}") unless actual == expected
end

def ok(cond, what)
  fail!(what) unless cond
end

def body_eq(actual, expected, what)
  a = actual.to_s.b
  e = expected.b
  return if a == e
  i = 0
  i += 1 while i < [a.bytesize, e.bytesize].min && a.getbyte(i) == e.getbyte(i)
  fail!("#{what}: body mismatch (expected #{e.bytesize} bytes, got #{a.bytesize}; first difference at byte #{i})")
end

def expect_error(klass, what)
  yield
  fail!("#{what}: expected #{klass}, got a success reply")
rescue klass => e
  e
end

def now
  Process.clock_gettime(Process::CLOCK_MONOTONIC)
end

host = ARGV[0] || ENV['BEANSTALKD_HOST'] || '127.0.0.1'
port = Integer(ARGV[1] || ENV['BEANSTALKD_PORT'] || '11300')
tube_name = "sluice-beaneater-#{Process.pid}-#{(Time.now.to_f * 1000).to_i}"

UTF8_BODY = 'héllo wörld ✓ 日本語 🚀 Ωμέγα — ünïcödé'
CRLF_BODY = "low\r\npri 100\r\n"
BIG_BODY = (0...(60 * 1024)).map { |i| ((i * 31 + 7 + (i >> 10)) & 0xff) }.pack('C*') # binary, has NUL/CR/LF

def main(host, port, tube_name)
  step('connect')
  bean = Beaneater.new("#{host}:#{port}")
  tubes = bean.tubes
  tube = tubes[tube_name]

  step('use / list-tube-used')
  tubes.use(tube_name)
  eq(tubes.used.name, tube_name, 'list-tube-used')

  step('watch / ignore / list-tubes-watched')
  tubes.watch(tube_name)
  tubes.ignore('default')
  eq(tubes.watched.map(&:name), [tube_name], 'list-tubes-watched')
  expect_error(Beaneater::NotIgnoredError, 'ignore last watched tube') { tubes.ignore(tube_name) }

  step('reserve-with-timeout on empty tube')
  expect_error(Beaneater::TimedOutError, 'reserve-with-timeout 0') { tubes.reserve(0) }
  t0 = now
  expect_error(Beaneater::TimedOutError, 'reserve-with-timeout 1') { tubes.reserve(1) }
  ok(now - t0 >= 0.9, "reserve-with-timeout 1 returned after #{now - t0}s")

  step('put')
  res = [
    tube.put(CRLF_BODY, pri: 100, ttr: 60),
    tube.put('high-10', pri: 10, ttr: 60),
    tube.put(UTF8_BODY, pri: 50, ttr: 60),
    tube.put('delayed-2s', pri: 1000, delay: 2, ttr: 60),
    tube.put(BIG_BODY, pri: 200, ttr: 60)
  ]
  res.each { |r| eq(r[:status], 'INSERTED', 'put status') }
  a, b, c, d, e = res.map { |r| r[:id] }
  ids = [a, b, c, d, e].map { |x| Integer(x, 10) }
  ids.each_cons(2) { |x, y| ok(y > x, "job ids not increasing: #{ids}") }

  step('stats-tube after puts')
  st = tube.stats
  eq(st.name, tube_name, 'stats-tube name')
  eq([st.current_jobs_urgent, st.current_jobs_ready, st.current_jobs_reserved,
      st.current_jobs_delayed, st.current_jobs_buried, st.total_jobs],
     [4, 4, 0, 1, 0, 5], 'stats-tube urgent/ready/reserved/delayed/buried/total')
  eq([st.current_using, st.current_watching, st.current_waiting, st.pause, st.cmd_delete],
     [1, 1, 0, 0, 0], 'stats-tube using/watching/waiting/pause/cmd-delete')

  step('stats-job delayed job')
  jd = bean.jobs.find(d)
  sj = jd.stats
  eq([sj.id, sj.tube, sj.state, sj.pri, sj.delay, sj.ttr, sj.reserves, sj.kicks],
     [ids[3], tube_name, 'delayed', 1000, 2, 60, 0, 0], 'stats-job D id/tube/state/pri/delay/ttr/reserves/kicks')

  step('peek variants')
  pk = tube.peek(:ready)
  eq(pk&.id, b, 'peek-ready id (lowest pri)')
  body_eq(pk.body, 'high-10', 'peek-ready body')
  pk = tube.peek(:delayed)
  eq(pk&.id, d, 'peek-delayed id')
  body_eq(pk.body, 'delayed-2s', 'peek-delayed body')
  eq(tube.peek(:buried), nil, 'peek-buried when none')
  pk = bean.jobs.find(c)
  eq(pk&.id, c, 'peek C id')
  body_eq(pk.body, UTF8_BODY, 'peek C utf8 body')
  pk = bean.jobs.peek(e)
  body_eq(pk.body, BIG_BODY, 'peek E 60KB body')
  eq(bean.jobs.find(999_999_999), nil, 'peek missing id')

  step('reserve / touch / release with delay')
  jb = tubes.reserve
  eq(jb.id, b, 'reserve picks lowest pri')
  body_eq(jb.body, 'high-10', 'reserve B body')
  eq(jb.reserved, true, 'job reserved flag')
  sj = jb.stats
  eq([sj.state, sj.reserves, sj.pri], ['reserved', 1, 10], 'stats-job B state/reserves/pri after reserve')
  ok(sj.time_left.between?(58, 60), "reserved time-left #{sj.time_left}")
  eq(jb.touch[:status], 'TOUCHED', 'touch reply')
  t_release = now
  eq(jb.release(pri: 10, delay: 2)[:status], 'RELEASED', 'release reply')
  sj = jb.stats
  eq([sj.state, sj.releases, sj.delay], ['delayed', 1, 2], 'stats-job B after release state/releases/delay')
  expect_error(Beaneater::JobNotReserved, 'touch of a non-reserved job') { jb.touch }

  step('reserve utf8 / bury / peek-buried')
  jc = tubes.reserve
  eq(jc.id, c, 'second reserve')
  body_eq(jc.body, UTF8_BODY, 'reserve C utf8 body')
  eq(jc.bury(pri: 50)[:status], 'BURIED', 'bury reply')
  sj = jc.stats
  eq([sj.state, sj.buries, sj.pri], ['buried', 1, 50], 'stats-job C after bury')
  pk = tube.peek(:buried)
  eq(pk&.id, c, 'peek-buried id')
  body_eq(pk.body, UTF8_BODY, 'peek-buried body')
  st = tube.stats
  eq([st.current_jobs_ready, st.current_jobs_reserved, st.current_jobs_delayed, st.current_jobs_buried],
     [2, 0, 2, 1], 'stats-tube ready/reserved/delayed/buried after bury')

  step('reserve CRLF body / delete')
  ja = tubes.reserve(5)
  eq(ja.id, a, 'third reserve')
  body_eq(ja.body, CRLF_BODY, 'reserve A body with embedded CRLF')
  eq(ja.delete[:status], 'DELETED', 'delete reply')
  eq(ja.exists?, false, 'deleted job exists?')
  expect_error(Beaneater::NotFoundError, 'stats-job of deleted job') { ja.stats }
  expect_error(Beaneater::NotFoundError, 'second delete') { ja.delete }

  step('reserve 60KB body / delete')
  je = tubes.reserve(5)
  eq(je.id, e, 'fourth reserve')
  body_eq(je.body, BIG_BODY, 'reserve E 60KB body')
  je.delete

  step('kick / kick-job')
  kr = tube.kick(10)
  eq([kr[:status], kr[:id]], ['KICKED', '1'], 'kick reply (buried only while buried jobs exist)')
  sj = jc.stats
  eq([sj.state, sj.kicks], ['ready', 1], 'stats-job C after kick')
  jc = tubes.reserve(5)
  eq(jc.id, c, 'reserve kicked job')
  jc.bury
  eq(jc.kick[:status], 'KICKED', 'kick-job reply')
  sj = jc.stats
  eq([sj.state, sj.kicks, sj.buries], ['ready', 2, 2], 'stats-job C after kick-job')
  expect_error(Beaneater::NotFoundError, 'kick-job of a ready job') { jc.kick }
  jc = tubes.reserve(5)
  eq(jc.id, c, 'reserve C again')
  jc.delete
  eq(jd.kick[:status], 'KICKED', 'kick-job of delayed job')
  eq(jd.stats.state, 'ready', 'stats-job D after kick-job')
  jd = tubes.reserve(0)
  eq(jd.id, d, 'reserve kicked delayed job')
  body_eq(jd.body, 'delayed-2s', 'D body')
  jd.delete

  step('released job becomes ready after its delay')
  jb = tubes.reserve(5)
  eq(jb.id, b, 'reserve released job')
  ok(now - t_release >= 1.5, "released job (delay 2) became ready after only #{now - t_release}s")
  eq([jb.stats.reserves, jb.stats.releases], [2, 1], 'stats-job B reserves/releases')
  jb.delete

  step('blocked reserve on a second connection is woken by put')
  bean2 = Beaneater.new("#{host}:#{port}")
  bean2.tubes.watch(tube_name)
  bean2.tubes.ignore('default')
  waiter = Thread.new { bean2.tubes.reserve(5) }
  waiter.report_on_exception = false
  sleep 0.15
  st = tube.stats
  eq([st.current_waiting, st.current_watching], [1, 2], 'stats-tube waiting/watching with blocked reserver')
  w = tube.put('wake-up', pri: 0)[:id]
  jw = waiter.value
  eq(jw.id, w, 'woken reserve id')
  body_eq(jw.body, 'wake-up', 'woken reserve body')
  jw.delete
  bean2.close

  step('pause-tube')
  eq(tube.pause(1)[:status], 'PAUSED', 'pause-tube reply')
  t_pause = now
  f = tube.put('after-pause', pri: 5)[:id]
  expect_error(Beaneater::TimedOutError, 'reserve on paused tube') { tubes.reserve(0) }
  st = tube.stats
  eq([st.pause, st.cmd_pause_tube, st.current_jobs_ready], [1, 1, 1], 'stats-tube pause/cmd-pause-tube/ready')
  jf = tubes.reserve(4)
  eq(jf.id, f, 'reserve after pause expires')
  ok(now - t_pause >= 0.7, "paused tube served a job after only #{now - t_pause}s")
  jf.delete
  expect_error(Beaneater::NotFoundError, 'pause-tube of unknown tube') { tubes["#{tube_name}-nonexistent"].pause(1) }

  step("#{PIPE_N} jobs round trip")
  bodies = (0...PIPE_N).map { |i| "job ##{i} #{'x' * (i % 97)} ✓" }
  pids = bodies.map { |bd| tube.put(bd, pri: 1000)[:id] }
  eq(pids.uniq.size, PIPE_N, 'distinct ids')
  pids.each_with_index do |id, i|
    j = tubes.reserve(5)
    eq(j.id, id, "FIFO reserve ##{i}")
    body_eq(j.body, bodies[i], "body of job #{id}")
    j.delete
  end

  step('stats / list-tubes')
  stats = bean.stats
  ok(stats.version.is_a?(String), "stats version must parse as a YAML string (quoted), got #{stats.version.inspect}")
  ok(stats.current_connections >= 1, 'stats current-connections')
  ok(stats.cmd_put >= PIPE_N + 7, "stats cmd-put #{stats.cmd_put}")
  ok(stats.pid.is_a?(Integer) && stats.uptime.is_a?(Integer), 'stats pid/uptime integers')
  eq(stats.draining, false, 'stats draining')
  all = tubes.all.map(&:name)
  ok(all.include?(tube_name) && all.include?('default'), "list-tubes #{all.inspect}")

  step('final stats-tube')
  st = tube.stats
  total = PIPE_N + 7
  eq([st.current_jobs_urgent, st.current_jobs_ready, st.current_jobs_reserved,
      st.current_jobs_delayed, st.current_jobs_buried, st.total_jobs, st.cmd_delete],
     [0, 0, 0, 0, 0, total, total], 'final stats-tube counts')

  step('quit')
  bean.close
end

begin
  Timeout.timeout(Integer(ENV['COMPAT_TIMEOUT'] || '20')) { main(host, port, tube_name) }
  exit 0
rescue CompatFailure => e
  warn "FAIL [step: #{$step}]: #{e.message}"
rescue Timeout::Error
  warn "FAIL [step: #{$step}]: timed out (library call never completed)"
rescue StandardError, ScriptError => e
  warn "FAIL [step: #{$step}]: #{e.class}: #{e.message}\n  #{e.backtrace.first(5).join("\n  ")}"
end
exit 1
