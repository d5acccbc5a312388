#!/usr/bin/env node
/**
 * Runs compiled unit test files again and again (a flakiness check) and records each run: pass or
 * fail, the test counts and the wall time. Stops after --runs runs or before --until (a clock time,
 * UTC), whichever comes first: a run that would probably not end by then (the slowest run so far) is
 * not started, and a run still going at --until is stopped and counted as unfinished, not as a pass.
 *
 *   nice -n 10 node scripts/loop-tests.mjs --runs 200 --until 14:05 --concurrency 2 \
 *     --log loop.jsonl out/test/unit/remote/ssh.test.js out/test/unit/remote/cli.test.js
 *
 * Each run is `node --test --test-timeout=<ms> --test-concurrency=<n> <files>` (the files in one
 * process tree, like `npm test` does). One JSON line per run goes to --log; a failing run's output is
 * kept next to it (<log>.run<N>.txt). The summary (runs, passes, failures, seconds per run) is printed
 * at the end and written as the last line of the log.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = args[i + 1];
  args.splice(i, 2);
  return value;
};
const runs = Number(option('runs', '200'));
const until = option('until', undefined);
const concurrency = Number(option('concurrency', '1'));
const timeoutMs = Number(option('test-timeout', '300000'));
const log = option('log', 'loop-tests.jsonl');
const files = args;
if (!files.length || !Number.isInteger(runs) || runs < 1) {
  console.error('usage: loop-tests.mjs [--runs N] [--until HH:MM (UTC)] [--concurrency N] [--test-timeout MS] [--log FILE] <test files...>');
  process.exit(2);
}

/** --until as a time today (UTC), in ms since the epoch. */
function deadline() {
  if (!until) return Infinity;
  const m = /^(\d{1,2}):(\d{2})$/.exec(until);
  if (!m) throw new Error(`--until wants HH:MM (UTC), got ${until}`);
  const d = new Date();
  d.setUTCHours(Number(m[1]), Number(m[2]), 0, 0);
  return d.getTime();
}
const end = deadline();

function runOnce(index) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--test', `--test-timeout=${timeoutMs}`, `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    let stopped = false;
    // without --until there is no deadline: setTimeout would take Infinity as 1 ms and stop every run
    const timer = Number.isFinite(end)
      ? setTimeout(() => {
          stopped = true;
          try {
            process.kill(-child.pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }, Math.max(0, end - started))
      : undefined;
    child.on('close', (code) => {
      clearTimeout(timer);
      const count = (name) => Number(new RegExp(`^ℹ ${name} (\\d+)`, 'm').exec(output)?.[1] ?? NaN);
      const record = {
        run: index,
        startedAt: new Date(started).toISOString(),
        seconds: Math.round((Date.now() - started) / 100) / 10,
        outcome: stopped ? 'unfinished' : code === 0 ? 'pass' : 'fail',
        exitCode: code,
        tests: count('tests'),
        pass: count('pass'),
        fail: count('fail'),
        cancelled: count('cancelled'),
      };
      if (record.outcome === 'fail') writeFileSync(`${log}.run${index}.txt`, output);
      resolve(record);
    });
  });
}

const records = [];
let slowest = 0;
for (let i = 1; i <= runs; i++) {
  if (Date.now() + slowest * 1000 > end) break;
  const record = await runOnce(i);
  records.push(record);
  appendFileSync(log, JSON.stringify(record) + '\n');
  if (record.outcome === 'unfinished') break;
  slowest = Math.max(slowest, record.seconds);
}

const finished = records.filter((r) => r.outcome !== 'unfinished');
const seconds = finished.map((r) => r.seconds).sort((a, b) => a - b);
const summary = {
  summary: true,
  files,
  concurrency,
  runsWanted: runs,
  runsFinished: finished.length,
  passes: finished.filter((r) => r.outcome === 'pass').length,
  failures: finished.filter((r) => r.outcome === 'fail').map((r) => r.run),
  unfinished: records.length - finished.length,
  secondsPerRun: seconds.length
    ? { median: seconds[Math.floor(seconds.length / 2)], min: seconds[0], max: seconds[seconds.length - 1], mean: Math.round((seconds.reduce((a, b) => a + b, 0) / seconds.length) * 10) / 10 }
    : null,
};
appendFileSync(log, JSON.stringify(summary) + '\n');
console.log(JSON.stringify(summary, null, 2));
process.exit(summary.failures.length ? 1 : 0);
